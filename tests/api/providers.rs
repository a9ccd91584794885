//! Offerwall providers through the admin API: the catalog (create, list, read, change, rotate,
//! IPs) and the signature debugger, with every signature made by this file's own md5/HMAC code
//! as the provider would make it.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::provider_kit::{fill, hmac_hex, md5_hex};

const USER: &str = "a1b2c3d4-e5f6-7890-abcd-ef1234567890";

async fn create_provider(app: &TestApp, body: Value) -> Value {
    expect_created(app.post_json("/api/admin/providers", body).await).await
}

async fn check(app: &TestApp, id: &str, url: &str) -> Value {
    let response = app.post_json(&format!("/api/admin/providers/{id}/check"), json!({ "url": url })).await;
    assert_eq!(response.status(), 200);
    response.json().await.expect("json")
}

async fn row_count(app: &TestApp, table: &str) -> i64 {
    app.count(table).await
}

on_both_backends!(create_a_medioot_provider_and_paste_its_url, settings(|s| s.public_url = "https://tap.example".into()), |app| {
    let secret = "medioot-secret-0123456789";
    let body = create_provider(&app, json!({ "name": "Medioot", "preset": "medioot", "secret": secret })).await;
    let id = body["id"].as_str().expect("id");
    assert!(id.starts_with("prv_"), "{id}");
    assert_eq!(
        body["postback_url"],
        format!(
            "https://tap.example/api/postback/in/{id}?subid={{subid}}&transid={{transid}}&reward={{reward}}&payout={{payout}}&status={{status}}\
             &signature={{signature}}&userIp={{userIp}}&campaign_id={{campaign_id}}&country={{country}}&uuid={{uuid}}&offer_name={{offer_name}}"
        )
    );
    assert_eq!((body["rounding"].as_str(), body["sandbox"].as_bool(), body["active"].as_bool()), (Some("down"), Some(false), Some(true)));
    assert_eq!(body["recipe"], "md5(subid + transid + reward + secret)");
    assert_eq!(body["secret_hint"], "medi… (25 characters)");

    let listed = app.get("/api/admin/providers").await.text().await.expect("text");
    let one = app.get(&format!("/api/admin/providers/{id}")).await.text().await.expect("text");
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(listed.contains(id) && one.contains(id));
    for text in [&listed, &one, &audit] {
        assert!(!text.contains(secret), "the secret is never shown again");
    }
    assert!(audit.contains("provider.create"));
    let openapi = app.get("/api/openapi.json").await.text().await.expect("text");
    assert!(openapi.contains("/api/admin/providers/{id}/check"));
});

on_both_backends!(bad_provider_settings_are_refused_by_name, settings(|s| s.public_url = "https://tap.example".into()), |app| {
    let cases = [
        (json!({ "name": "", "preset": "medioot", "secret": "s" }), "name:"),
        (json!({ "name": "X", "preset": "targo", "secret": "s" }), "preset:"),
        (json!({ "name": "X", "preset": "medioot" }), "secret:"),
        (json!({ "name": "X", "preset": "medioot", "secret": "s\u{0}" }), "secret:"),
        (json!({ "name": "X", "preset": "medioot", "secret": "s", "rounding": "half" }), "rounding:"),
        (json!({ "name": "X", "preset": "custom", "secret": "s" }), "custom:"),
        (
            json!({ "name": "X", "preset": "medioot", "secret": "s", "custom": { "user": "u", "transaction": "t", "reward": "r" } }),
            "custom:",
        ),
        (
            json!({ "name": "X", "preset": "custom", "secret": "s",
                    "custom": { "user": "u", "transaction": "t", "reward": "r", "signature": "sig", "recipe": "md5", "md5_order": ["user", "transaction"] } }),
            "custom: md5_order:",
        ),
        (json!({ "name": "X", "preset": "custom", "custom": { "user": "u id", "transaction": "t", "reward": "r" } }), "custom: user:"),
    ];
    for (body, prefix) in cases {
        let message = expect_error(app.post_json("/api/admin/providers", body.clone()).await, 422).await;
        assert!(message.starts_with(prefix), "{body}: {message}");
    }
    expect_error(app.post_json("/api/admin/providers", json!({ "name": 5 })).await, 422).await;
    expect_error(app.get("/api/admin/providers/prv_missing").await, 404).await;
    expect_error(app.patch_json("/api/admin/providers/prv_missing", json!({ "active": false })).await, 404).await;
    expect_error(app.post_json("/api/admin/providers/prv_missing/check", json!({ "url": "https://x.example/?a=1" })).await, 404).await;
    assert_eq!(row_count(&app, "providers").await, 0, "nothing half-created");

    // An unsigned custom provider needs no secret.
    let unsigned = create_provider(
        &app,
        json!({ "name": "IP only", "preset": "custom", "custom": { "user": "u", "transaction": "t", "reward": "r" } }),
    )
    .await;
    assert_eq!(unsigned["recipe"], "none (approved IPs only)");
    assert_eq!(
        unsigned["postback_url"],
        format!("https://tap.example/api/postback/in/{}?u={{user}}&t={{transaction}}&r={{reward}}", unsigned["id"].as_str().expect("id"))
    );
});

on_both_backends!(patch_deactivates_and_rotates_the_secret_with_an_overlap, |app| {
    let body = create_provider(
        &app,
        json!({ "name": "Rotating", "preset": "medioot", "secret": "old-secret", "sandbox": true, "rounding": "up" }),
    )
    .await;
    let id = body["id"].as_str().expect("id").to_owned();
    assert_eq!((body["sandbox"].as_bool(), body["rounding"].as_str()), (Some(true), Some("up")));

    let rotated = app
        .patch_json(
            &format!("/api/admin/providers/{id}"),
            json!({ "secret": "new-secret", "overlap_seconds": 3600, "name": "Rotated", "sandbox": false }),
        )
        .await;
    assert_eq!(rotated.status(), 200);
    let rotated: Value = rotated.json().await.expect("json");
    assert_eq!((rotated["name"].as_str(), rotated["sandbox"].as_bool()), (Some("Rotated"), Some(false)));
    assert_eq!(rotated["previous_secret_hint"], "… (10 characters)");
    assert!(rotated["previous_secret_valid_until"].as_i64().expect("until") > body["created_at"].as_i64().expect("created") + 3_000_000);

    // During the overlap, a call signed with the old secret still passes, and the debugger says why.
    let url = fill(
        rotated["postback_url"].as_str().expect("url"),
        &[
            ("subid", USER),
            ("transid", "T1"),
            ("reward", "5"),
            ("payout", "0.10"),
            ("status", "1"),
            ("signature", &md5_hex(&format!("{USER}T15old-secret"))),
        ],
    );
    let old = check(&app, &id, &url).await;
    assert_eq!((old["matches"].as_bool(), old["differs"].as_str()), (Some(true), Some("previous_secret")));

    // Rotating again with no overlap stops the old secret at once.
    let again: Value =
        app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "secret": "newest-secret" })).await.json().await.expect("json");
    assert_eq!(again["previous_secret_hint"], Value::Null);
    let old = check(&app, &id, &url).await;
    assert_eq!((old["matches"].as_bool(), old["differs"].as_str()), (Some(false), Some("secret")));

    let off: Value = app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "active": false })).await.json().await.expect("json");
    assert_eq!(off["active"], false);
    expect_error(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "overlap_seconds": 60 })).await, 422).await;
    expect_error(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "secret": "x", "overlap_seconds": -1 })).await, 422).await;
    expect_error(app.patch_json(&format!("/api/admin/providers/{id}"), json!({ "rounding": "sideways" })).await, 422).await;

    let audit: Value = app.get("/api/admin/audit?action=provider.").await.json().await.expect("json");
    let text = audit.to_string();
    assert!(text.contains("provider.secret.rotate") && text.contains("provider.update"), "{text}");
    for secret in ["old-secret", "new-secret", "newest-secret"] {
        assert!(!text.contains(secret), "audit never holds a secret");
    }
});

on_both_backends!(approved_ips_and_their_errors, |app| {
    let body = create_provider(&app, json!({ "name": "IPs", "preset": "taprain", "secret": "whsec_abc" })).await;
    let id = body["id"].as_str().expect("id");
    for ip in ["203.0.113.7", "198.51.100.9/24", "2001:db8::/32"] {
        assert_eq!(app.post_json(&format!("/api/admin/providers/{id}/ips"), json!({ "ip": ip })).await.status(), 201, "{ip}");
    }
    let provider: Value = app.get(&format!("/api/admin/providers/{id}")).await.json().await.expect("json");
    assert_eq!(provider["ips"], json!(["203.0.113.7", "198.51.100.0/24", "2001:db8::/32"]));
    assert_eq!(app.delete(&format!("/api/admin/providers/{id}/ips/198.51.100.0%2F24")).await.status(), 204);
    expect_error(app.delete(&format!("/api/admin/providers/{id}/ips/198.51.100.0%2F24")).await, 404).await;
    let message = expect_error(app.post_json(&format!("/api/admin/providers/{id}/ips"), json!({ "ip": "example.com" })).await, 422).await;
    assert!(message.starts_with("ip:"));
    expect_error(app.post_json("/api/admin/providers/prv_missing/ips", json!({ "ip": "1.2.3.4" })).await, 404).await;
    let refused: Value = app.get(&format!("/api/admin/providers/{id}/refused-ips")).await.json().await.expect("json");
    assert_eq!(refused["items"], json!([]));
    expect_error(app.post_json(&format!("/api/admin/providers/{id}/refused-ips/9.9.9.9/approve"), json!({})).await, 404).await;
    let audit = app.get("/api/admin/audit?action=provider.ip").await.text().await.expect("text");
    assert!(audit.contains("provider.ip.add") && audit.contains("provider.ip.remove"));
});

on_both_backends!(the_debugger_explains_a_wrong_secret_and_a_reordered_field_and_records_nothing, |app| {
    let secret = "medioot-secret";
    let body = create_provider(&app, json!({ "name": "Medioot", "preset": "medioot", "secret": secret })).await;
    let id = body["id"].as_str().expect("id");
    let template = body["postback_url"].as_str().expect("url");
    let url_with = |signature: &str| {
        fill(
            template,
            &[("subid", USER), ("transid", "TX 9"), ("reward", "12.5"), ("payout", "0.35"), ("status", "1"), ("signature", signature)],
        )
    };
    let (log_before, audit_before) = (row_count(&app, "postback_log").await, row_count(&app, "audit_log").await);

    let good = check(&app, id, &url_with(&md5_hex(&format!("{USER}TX 912.5{secret}")))).await;
    assert_eq!((good["matches"].as_bool(), good["differs"].as_str(), good["field_error"].as_str()), (Some(true), Some("nothing"), None));

    let wrong_sig = md5_hex(&format!("{USER}TX 912.5not-the-secret"));
    let wrong = check(&app, id, &url_with(&wrong_sig)).await;
    assert_eq!((wrong["matches"].as_bool(), wrong["differs"].as_str()), (Some(false), Some("secret")));
    assert_eq!(wrong["recipe"], "md5(subid + transid + reward + secret)");
    assert_eq!(wrong["canonical"], format!("{USER}TX 912.5********"));
    assert_eq!(wrong["received"], wrong_sig);
    assert_eq!(wrong["expected"], md5_hex(&format!("{USER}TX 912.5{secret}")));
    assert_eq!(wrong["parts"][3], json!({ "name": "secret", "value": "********" }));
    assert!(!wrong.to_string().contains(secret), "the secret is masked");

    let reordered = check(&app, id, &url_with(&md5_hex(&format!("TX 9{USER}12.5{secret}")))).await;
    assert_eq!((reordered["matches"].as_bool(), reordered["differs"].as_str()), (Some(false), Some("order")));
    assert_eq!(
        reordered["explanation"],
        "The provider concatenated transid + subid + reward + secret; this provider expects subid + transid + reward + secret."
    );

    let no_status = check(&app, id, &url_with(&md5_hex(&format!("{USER}TX 912.5{secret}"))).replace("&status=1", "")).await;
    assert_eq!((no_status["matches"].as_bool(), no_status["field_error"].as_str()), (Some(true), Some("status: is missing")));
    let message = expect_error(app.post_json(&format!("/api/admin/providers/{id}/check"), json!({ "url": "not a url" })).await, 422).await;
    assert!(message.starts_with("url:"));

    assert_eq!(row_count(&app, "postback_log").await, log_before, "check records no call");
    assert_eq!(row_count(&app, "audit_log").await, audit_before, "check changes nothing");
});

on_both_backends!(the_debugger_checks_taprain_and_custom_hmac_signatures, |app| {
    let secret = "whsec_chain-secret";
    let body = create_provider(&app, json!({ "name": "Upstream TapRain", "preset": "taprain", "secret": secret })).await;
    let id = body["id"].as_str().expect("id");
    // As a TapRain instance sends it: the URL rendered from the template, then `&hash=` appended.
    let unsigned = fill(
        body["postback_url"].as_str().expect("url"),
        &[
            ("user_id", USER),
            ("tx_id", "cnv_1"),
            ("reward", "40"),
            ("payout", "0.50"),
            ("status", "1"),
            ("offer_id", "o1"),
            ("offer_name", "Big & Co"),
            ("ip", "203.0.113.1"),
            ("country_code", "US"),
        ],
    );
    let signed = format!("{unsigned}&hash={}", hmac_hex(secret, &unsigned));
    let good = check(&app, id, &signed).await;
    assert_eq!((good["matches"].as_bool(), good["canonical"].as_str()), (Some(true), Some(unsigned.as_str())));
    let tampered = check(&app, id, &signed.replace("reward=40", "reward=400")).await;
    assert_eq!(tampered["differs"], "secret");

    let custom = create_provider(
        &app,
        json!({ "name": "Custom", "preset": "custom", "secret": "k3y", "rounding": "nearest",
                "custom": { "user": "uid", "transaction": "tx", "reward": "amt", "payout": "usd", "status": "st",
                            "status_credit": "ok", "status_reversal": "chargeback", "signature": "sig", "recipe": "hmac-sha256" } }),
    )
    .await;
    let custom_id = custom["id"].as_str().expect("id");
    let base = custom["postback_url"].as_str().expect("url").split('?').next().expect("base").to_owned();
    let unsigned = format!("{base}?uid={USER}&tx=77&amt=3.5&usd=1&st=chargeback");
    let good = check(&app, custom_id, &format!("{unsigned}&sig={}", hmac_hex("k3y", &unsigned))).await;
    assert_eq!((good["matches"].as_bool(), good["field_error"].as_str()), (Some(true), None));
    let bad_status = format!("{base}?uid={USER}&tx=77&amt=3.5&usd=1&st=2");
    let answer = check(&app, custom_id, &format!("{bad_status}&sig={}", hmac_hex("k3y", &bad_status))).await;
    assert_eq!(answer["field_error"], "st: must be ok or chargeback");
});

on_both_backends!(a_sandbox_network_key_sits_beside_the_live_one, |app| {
    let (id, live) = app.create_network("Sandboxed").await;
    let response = app.post_json(&format!("/api/admin/networks/{id}/keys/rotate"), json!({ "overlap_seconds": 0, "sandbox": true })).await;
    let sandbox_key = expect_created(response).await["key"].as_str().expect("key").to_owned();
    let network: Value = app.get(&format!("/api/admin/networks/{id}")).await.json().await.expect("json");
    let keys = network["keys"].as_array().expect("keys");
    assert_eq!(keys.len(), 2);
    assert_eq!(keys.iter().filter(|k| k["sandbox"] == true).count(), 1);
    assert!(keys.iter().all(|k| k["valid_until"].is_null()), "a sandbox key retires no live key");
    let mut conn = app.db.pool().acquire().await.expect("conn");
    for key in [&live, &sandbox_key] {
        assert_eq!(app::server::networks::authenticate_key(&mut conn, key).await.expect("auth").as_deref(), Some(id.as_str()));
    }
    let keys_table = app::server::keys::NETWORK_KEYS;
    assert!(keys_table.is_sandbox(&mut conn, &app::server::secrets::hash(&sandbox_key)).await.expect("sandbox"));
    assert!(!keys_table.is_sandbox(&mut conn, &app::server::secrets::hash(&live)).await.expect("live"));
});
