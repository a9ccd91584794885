//! Editing the catalogs through the admin API: rename, deactivate and reactivate networks,
//! publishers and programs (and what deactivation stops), search with totals, key revocation,
//! publisher logins and postback secret rotation.

use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

async fn patch(app: &TestApp, path: &str, body: Value) -> Response {
    app.client.patch(app.url(path)).bearer_auth(&app.token).json(&body).send().await.expect("PATCH")
}

async fn sign_in_status(app: &TestApp, email: &str, password: &str) -> u16 {
    let response = app
        .client
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("login");
    response.status().as_u16()
}

on_both_backends!(a_deactivated_network_is_refused_until_reactivated, |app| {
    let cpa = app.setup_cpa().await;
    let path = format!("/api/admin/networks/{}", cpa.network_id);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;

    let response = patch(&app, &path, json!({ "active": false, "name": "Renamed Network" })).await;
    assert_eq!(response.status(), 200);
    let network: Value = response.json().await.expect("json");
    assert_eq!(network["active"], false);
    assert_eq!(network["name"], "Renamed Network");
    let query = SEED_QUERY.replace("abc123", "after-deactivation");
    expect_cpa(app.cpa(&cpa.key, &query).await, 401, "Unauthorized").await;

    let response = patch(&app, &path, json!({ "active": true })).await;
    assert_eq!(response.status(), 200);
    expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;

    let message = expect_error(patch(&app, &path, json!({ "name": "  " })).await, 422).await;
    assert!(message.starts_with("name"), "{message}");
    expect_error(patch(&app, "/api/admin/networks/net_missing", json!({ "active": false })).await, 404).await;
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("network.update"));
});

on_both_backends!(networks_are_searched_and_paged_with_a_total, |app| {
    for name in ["Alpha Ads", "Beta Ads", "Gamma Media"] {
        app.create_network(name).await;
    }
    let listed: Value = app.get("/api/admin/networks?search=ads&limit=1").await.json().await.expect("json");
    assert_eq!(listed["total"], 2);
    assert_eq!(listed["items"].as_array().expect("items").len(), 1);
    assert_eq!(listed["items"][0]["name"], "Beta Ads", "newest first");
    let second: Value = app.get("/api/admin/networks?search=ADS&limit=1&offset=1").await.json().await.expect("json");
    assert_eq!(second["items"][0]["name"], "Alpha Ads");
    let all: Value = app.get("/api/admin/networks").await.json().await.expect("json");
    assert_eq!(all["total"], 3);
});

on_both_backends!(a_revoked_network_key_stops_at_once, |app| {
    let cpa = app.setup_cpa().await;
    let rotated = app.post_json(&format!("/api/admin/networks/{}/keys/rotate", cpa.network_id), json!({ "overlap_seconds": 3600 })).await;
    let new_key = rotated.json::<Value>().await.expect("json")["key"].as_str().expect("key").to_owned();
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;

    let network: Value = app.get(&format!("/api/admin/networks/{}", cpa.network_id)).await.json().await.expect("json");
    let old = network["keys"].as_array().expect("keys").iter().find(|k| !k["valid_until"].is_null()).expect("the overlapped key").clone();
    assert!(old["valid_until"].as_i64().expect("until") > old["created_at"].as_i64().expect("created"));
    let old_id = old["id"].as_str().expect("id");
    let revoked = app.delete(&format!("/api/admin/networks/{}/keys/{old_id}", cpa.network_id)).await;
    assert_eq!(revoked.status(), 204);
    let query = SEED_QUERY.replace("abc123", "after-revoke");
    expect_cpa(app.cpa(&cpa.key, &query).await, 401, "Unauthorized").await;
    expect_cpa(app.cpa(&new_key, &query).await, 200, "ok").await;

    expect_error(app.delete(&format!("/api/admin/networks/{}/keys/key_missing", cpa.network_id)).await, 404).await;
    expect_error(app.delete(&format!("/api/admin/networks/net_missing/keys/{old_id}")).await, 404).await;
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("network.key.revoke") && !audit.contains(&new_key));
});

on_both_backends!(a_deactivated_publisher_cannot_sign_in_and_is_not_credited, |app| {
    let cpa = app.setup_cpa().await;
    let path = format!("/api/admin/publishers/{SEED_PUBLISHER}");
    let login = app.post_json(&format!("{path}/users"), json!({ "email": "seed@pub.example", "password": "publisher password" })).await;
    assert_eq!(login.status(), 201);
    assert_eq!(sign_in_status(&app, "seed@pub.example", "publisher password").await, 200);
    let logins: Value = app.get(&format!("{path}/users")).await.json().await.expect("json");
    assert_eq!(logins["items"][0]["email"], "seed@pub.example");
    assert_eq!(logins["items"][0]["active"], true);

    let response = patch(&app, &path, json!({ "active": false, "email": "billing@pub.example" })).await;
    assert_eq!(response.status(), 200);
    let publisher: Value = response.json().await.expect("json");
    assert_eq!((publisher["active"].clone(), publisher["email"].clone()), (json!(false), json!("billing@pub.example")));
    assert_eq!(sign_in_status(&app, "seed@pub.example", "publisher password").await, 401);
    let logins: Value = app.get(&format!("{path}/users")).await.json().await.expect("json");
    assert_eq!(logins["items"][0]["active"], false);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 404, "Publisher not found").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);

    assert_eq!(patch(&app, &path, json!({ "active": true })).await.status(), 200);
    assert_eq!(sign_in_status(&app, "seed@pub.example", "publisher password").await, 200);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);

    let message = expect_error(patch(&app, &path, json!({ "email": "nope" })).await, 422).await;
    assert!(message.starts_with("email"), "{message}");
    let cleared: Value = patch(&app, &path, json!({ "email": "" })).await.json().await.expect("json");
    assert!(cleared["email"].is_null());
    let listed: Value = app.get("/api/admin/publishers?search=seed&limit=5").await.json().await.expect("json");
    assert_eq!(listed["total"], 1);
    expect_error(patch(&app, "/api/admin/publishers/ffffffffffffffffffffffff", json!({ "active": false })).await, 404).await;
});

on_both_backends!(programs_are_edited_and_a_deactivated_program_refuses_its_key, |app| {
    let setup = app.setup_program().await;
    let path = format!("/api/admin/programs/{}", setup.id);
    assert_eq!(app.v1_post(&setup.key, "/api/v1/conversions", seed_conversion()).await.status(), 201);

    let response = patch(&app, &path, json!({ "name": "Shop Two", "commission_cents": 250 })).await;
    assert_eq!(response.status(), 200);
    let program: Value = response.json().await.expect("json");
    assert_eq!((program["name"].clone(), program["commission_cents"].clone()), (json!("Shop Two"), json!(250)));
    assert!(program["commission_percent"].is_null());

    assert_eq!(patch(&app, &path, json!({ "active": false })).await.status(), 200);
    let next = json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "100", "external_id": "ORD006" });
    expect_error(app.v1_post(&setup.key, "/api/v1/conversions", next.clone()).await, 401).await;
    assert_eq!(patch(&app, &path, json!({ "active": true })).await.status(), 200);
    assert_eq!(app.v1_post(&setup.key, "/api/v1/conversions", next).await.status(), 201);

    // A deactivated publisher's codes attribute nothing: it earns nothing until reactivated.
    let publisher_path = format!("/api/admin/publishers/{}", setup.publisher);
    assert_eq!(patch(&app, &publisher_path, json!({ "active": false })).await.status(), 200);
    let later = json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "100", "external_id": "ORD007" });
    expect_field_error(app.v1_post(&setup.key, "/api/v1/conversions", later.clone()).await, "referral_code").await;
    assert_eq!(patch(&app, &publisher_path, json!({ "active": true })).await.status(), 200);
    assert_eq!(app.v1_post(&setup.key, "/api/v1/conversions", later).await.status(), 201);

    let message = expect_error(patch(&app, &path, json!({ "commission_percent": "150" })).await, 422).await;
    assert!(message.starts_with("commission_percent"), "{message}");
    let message = expect_error(patch(&app, &path, json!({ "name": "" })).await, 422).await;
    assert!(message.starts_with("name"), "{message}");
    let listed: Value = app.get("/api/admin/programs?search=two").await.json().await.expect("json");
    assert_eq!(listed["total"], 1);
});

on_both_backends!(postback_secrets_rotate_and_are_listed_as_hints, |app| {
    let publisher = app.create_publisher("Signed").await;
    let rotate = format!("/api/admin/publishers/{publisher}/postback/secret/rotate");
    expect_error(app.post_json(&rotate, json!({})).await, 404).await;
    let put = app
        .client
        .put(app.url(&format!("/api/admin/publishers/{publisher}/postback")))
        .bearer_auth(&app.token)
        .json(&json!({ "url_template": "https://pub.example/cb?tx={tx_id}" }))
        .send()
        .await
        .expect("PUT");
    let first = put.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();
    let response = app.post_json(&rotate, json!({})).await;
    assert_eq!(response.status(), 201);
    let second = response.json::<Value>().await.expect("json")["secret"].as_str().expect("secret").to_owned();
    assert_ne!(first, second);
    assert!(second.starts_with("whsec_"));

    let listed = app.get("/api/admin/postback-secrets").await.text().await.expect("text");
    assert!(listed.contains(&publisher) && !listed.contains(&second) && !listed.contains(&first));
    assert!(listed.contains(&format!("{}…", &second[..10])));
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("publisher.postback.secret.rotate") && !audit.contains(&second));
});

on_both_backends!(the_openapi_document_lists_the_catalog_edits, |app| {
    let doc: Value = app.get("/api/openapi.json").await.json().await.expect("json");
    let paths = &doc["paths"];
    for (path, method) in [
        ("/api/admin/networks/{id}", "patch"),
        ("/api/admin/networks/{id}/keys/{key_id}", "delete"),
        ("/api/admin/publishers/{id}", "patch"),
        ("/api/admin/publishers/{id}/users", "get"),
        ("/api/admin/publishers/{id}/postback/secret/rotate", "post"),
        ("/api/admin/postback-secrets", "get"),
        ("/api/admin/programs/{id}", "patch"),
    ] {
        assert!(paths[path][method].is_object(), "{method} {path} is documented");
    }
});
