//! `POST/GET/PUT/PATCH /api/admin/offers` and `/api/admin/offerwalls`.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

const URL: &str = "https://adv.example/go?c={click_id}&s1={s1}&s2={s2}&u={uid}";

on_both_backends!(offers_are_created_read_edited_and_deactivated, |app| {
    let (network_id, _) = app.create_network("Acme Ads").await;
    let created = app
        .post_json(
            "/api/admin/offers",
            json!({ "name": "Shein Shopping App", "payout_cents": 350, "url_template": URL, "countries": ["us", "DE"],
                    "device": "mobile", "description": "Install and open", "network_id": network_id }),
        )
        .await;
    assert_eq!(created.status(), 201);
    let offer: Value = created.json().await.expect("json");
    let id = offer["id"].as_str().expect("id").to_owned();
    assert!(id.starts_with("off_"));
    assert_eq!(offer["countries"], json!(["DE", "US"]));
    assert_eq!((offer["device"].as_str(), offer["active"].as_bool()), (Some("mobile"), Some(true)));
    assert_eq!(offer["network_id"], network_id.as_str());

    let read: Value = app.get(&format!("/api/admin/offers/{id}")).await.json().await.expect("json");
    assert_eq!(read, offer);
    let patched = app
        .client
        .patch(app.url(&format!("/api/admin/offers/{id}")))
        .bearer_auth(&app.token)
        .json(&json!({ "active": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(patched.status(), 200);
    let patched: Value = patched.json().await.expect("json");
    assert_eq!(
        (patched["active"].as_bool(), patched["name"].as_str(), patched["payout_cents"].as_i64()),
        (Some(false), Some("Shein Shopping App"), Some(350))
    );
    let inactive: Value = app.get("/api/admin/offers?active=false").await.json().await.expect("json");
    assert_eq!(inactive["items"].as_array().expect("items").len(), 1);

    let replaced = app
        .client
        .put(app.url(&format!("/api/admin/offers/{id}")))
        .bearer_auth(&app.token)
        .json(&json!({ "name": "Renamed", "payout_cents": 100, "url_template": "http://adv.example/x" }))
        .send()
        .await
        .expect("put");
    let replaced: Value = replaced.json().await.expect("json");
    assert_eq!(
        (replaced["device"].as_str(), replaced["countries"].clone(), replaced["network_id"].clone()),
        (Some("all"), json!([]), Value::Null)
    );
    assert_eq!(replaced["active"], true, "PUT replaces every field, defaults included");

    expect_error(app.get("/api/admin/offers/off_missing").await, 404).await;
    let missing_patch =
        app.client.patch(app.url("/api/admin/offers/off_missing")).bearer_auth(&app.token).json(&json!({})).send().await.expect("patch");
    expect_error(missing_patch, 404).await;
    expect_error(app.client.get(app.url("/api/admin/offers")).send().await.expect("anonymous"), 401).await;
});

on_both_backends!(bad_offers_are_refused_naming_the_problem, |app| {
    let base = json!({ "name": "Offer", "payout_cents": 100, "url_template": URL });
    let with = |field: &str, value: Value| {
        let mut body = base.clone();
        body[field] = value;
        body
    };
    let cases = [
        (with("url_template", json!("https://adv.example/?x={sub1}")), "{sub1}"),
        (with("url_template", json!("ftp://adv.example/")), "url_template"),
        (with("url_template", json!("javascript:alert(1)")), "url_template"),
        (with("countries", json!(["US", "XX"])), "\"XX\""),
        (with("device", json!("tv")), "device"),
        (with("payout_cents", json!(0)), "payout_cents"),
        (with("name", json!("  ")), "name"),
        (with("network_id", json!("net_missing")), "network_id"),
        (json!({ "payout_cents": 100, "url_template": URL }), "name"),
        (json!({ "name": "x", "url_template": URL }), "payout_cents"),
    ];
    for (body, needle) in cases {
        let message = expect_error(app.post_json("/api/admin/offers", body.clone()).await, 422).await;
        assert!(message.contains(needle), "{message:?} should name {needle:?} for {body}");
    }
    let typed = app.post_json("/api/admin/offers", with("payout_cents", json!("100"))).await;
    expect_error(typed, 422).await;
    let broken = app
        .client
        .post(app.url("/api/admin/offers"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body("{")
        .send()
        .await
        .expect("post");
    expect_error(broken, 400).await;
    let listed: Value = app.get("/api/admin/offers").await.json().await.expect("json");
    assert_eq!(listed["items"], json!([]), "nothing half-written");
});

on_both_backends!(offerwalls_answer_share_url_and_embed_code, settings(|s| s.public_url = "https://taprain.example".into()), |app| {
    let publisher = app.create_publisher("Pub").await;
    let created = app.post_json("/api/admin/offerwalls", json!({ "publisher_id": publisher, "name": "Main", "currency_name": "Gems", "exchange_rate": "0.5", "rounding": "up", "title": "Earn Gems", "accent_color": "#FF8800", "logo_url": "https://cdn.example/logo.png" })).await;
    assert_eq!(created.status(), 201);
    let wall: Value = created.json().await.expect("json");
    let id = wall["id"].as_str().expect("id");
    assert!(id.starts_with("ofw_"));
    let share_url = format!("https://taprain.example/o/{id}");
    assert_eq!(wall["share_url"], share_url.as_str());
    assert_eq!(
        wall["embed_code"],
        format!("<iframe\n  src=\"{share_url}\"\n  title=\"Earn Gems\"\n  width=\"100%\"\n  height=\"600\"\n  style=\"border-radius: 16px; border: none;\"\n></iframe>"),
        "titled for screen readers, no obsolete frameborder"
    );
    assert_eq!(
        (wall["exchange_rate"].as_str(), wall["rounding"].as_str(), wall["accent_color"].as_str()),
        (Some("0.5"), Some("up"), Some("#ff8800"))
    );
    assert!(wall.get("click_secret").is_none(), "the click secret never leaves the server");

    let defaults = app.create_wall(&publisher, json!({ "exchange_rate": 1000 })).await;
    assert_eq!(
        (defaults["currency_name"].as_str(), defaults["exchange_rate"].as_str(), defaults["rounding"].as_str()),
        (Some("Coins"), Some("1000"), Some("down"))
    );

    let edited = app
        .client
        .patch(app.url(&format!("/api/admin/offerwalls/{id}")))
        .bearer_auth(&app.token)
        .json(&json!({ "exchange_rate": "2.25", "logo_url": "" }))
        .send()
        .await
        .expect("patch");
    let edited: Value = edited.json().await.expect("json");
    assert_eq!(
        (edited["exchange_rate"].as_str(), edited["logo_url"].clone(), edited["title"].as_str()),
        (Some("2.25"), Value::Null, Some("Earn Gems"))
    );
    let listed: Value = app.get(&format!("/api/admin/offerwalls?publisher={publisher}")).await.json().await.expect("json");
    assert_eq!(listed["items"].as_array().expect("items").len(), 2);
    expect_error(app.get("/api/admin/offerwalls/ofw_missing").await, 404).await;

    for (body, needle) in [
        (json!({ "publisher_id": "6422f1b3e8a0000012345678", "name": "x" }), "publisher_id"),
        (json!({ "name": "x" }), "publisher_id"),
        (json!({ "publisher_id": publisher, "name": "x", "exchange_rate": "-1" }), "exchange_rate"),
        (json!({ "publisher_id": publisher, "name": "x", "exchange_rate": 0.0000001 }), "exchange_rate"),
        (json!({ "publisher_id": publisher, "name": "x", "exchange_rate": true }), "exchange_rate"),
        (json!({ "publisher_id": publisher, "name": "x", "rounding": "banker" }), "rounding"),
        (json!({ "publisher_id": publisher, "name": "x", "accent_color": "red;}" }), "accent_color"),
        (json!({ "publisher_id": publisher, "name": "x", "logo_url": "javascript:alert(1)" }), "logo_url"),
    ] {
        let message = expect_error(app.post_json("/api/admin/offerwalls", body.clone()).await, 422).await;
        assert!(message.contains(needle), "{message:?} should name {needle:?}");
    }
});

on_both_backends!(the_openapi_document_lists_offers_and_offerwalls, |app| {
    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    for path in ["/api/admin/offers", "/api/admin/offers/{id}", "/api/admin/offerwalls", "/api/admin/offerwalls/{id}"] {
        assert!(doc["paths"][path].is_object(), "{path} documented");
    }
    for method in ["get", "put", "patch"] {
        assert!(doc["paths"]["/api/admin/offers/{id}"][method].is_object(), "{method}");
    }
    assert!(doc["components"]["schemas"]["Offerwall"]["properties"]["embed_code"].is_object());
});
