//! `PUT /api/admin/publishers/{id}/postback` (SPEC K): template checked when saved, secret shown
//! once — in the answer that created it — and only as a hint afterwards.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(saving_a_template_returns_the_signing_secret_once, |app| {
    let id = app.create_publisher("Postbacks").await;
    let path = format!("/api/admin/publishers/{id}/postback");
    let template = "https://pub.example/cb?uid={user_id}&tx={tx_id}&r={reward}&p={payout}&s={status}&sub={subid}&c={country}";
    let response =
        app.client.put(app.url(&path)).bearer_auth(&app.token).json(&json!({ "url_template": template })).send().await.expect("PUT");
    assert_eq!(response.status(), 200);
    let saved: Value = response.json().await.expect("json");
    let secret = saved["secret"].as_str().expect("secret").to_owned();
    assert!(secret.starts_with("whsec_") && secret.len() > 30);
    assert_eq!(saved["signature"], "hmac-sha256");
    assert_eq!(saved["max_retries"], 5);
    assert_eq!(saved["retry_interval_seconds"], 21600);
    assert_eq!(saved["url_template"], template);

    let hint = format!("{}…", &secret[..10]);
    assert_eq!(saved["secret_hint"], hint.as_str());

    // Updating keeps the secret and changes the rest; the secret is not shown again.
    let update = json!({ "url_template": "https://pub.example/v2?u={user_id}&sig={signature}", "signature": "md5", "max_retries": 2, "retry_interval_seconds": 60 });
    let again = app.client.put(app.url(&path)).bearer_auth(&app.token).json(&update).send().await.expect("PUT");
    let again_text = again.text().await.expect("text");
    assert!(!again_text.contains(&secret), "{again_text}");
    let again: Value = serde_json::from_str(&again_text).expect("json");
    assert_eq!(again["secret_hint"], hint.as_str());
    assert_eq!(again["signature"], "md5");
    assert_eq!(again["max_retries"], 2);
    let fetched_text = app.get(&path).await.text().await.expect("text");
    assert!(!fetched_text.contains(&secret), "GET shows a hint, never the secret: {fetched_text}");
    let fetched: Value = serde_json::from_str(&fetched_text).expect("json");
    assert_eq!(fetched["retry_interval_seconds"], 60);
    assert_eq!(fetched["secret_hint"], hint.as_str());
    assert!(fetched.get("secret").is_none());

    let audit: Value = app.get("/api/admin/audit?action=publisher.postback").await.json().await.expect("json");
    assert_eq!(audit["items"].as_array().expect("items").len(), 2);
    assert!(!audit.to_string().contains(&secret), "the secret is not audited");
});

on_both_backends!(bad_templates_and_settings_are_refused_naming_the_problem, |app| {
    let id = app.create_publisher("Bad postbacks").await;
    let path = format!("/api/admin/publishers/{id}/postback");
    let put = |body: Value| app.client.put(app.url(&path)).bearer_auth(&app.token).json(&body).send();
    let unknown = expect_error(put(json!({ "url_template": "https://x.example/?a={user}" })).await.expect("PUT"), 422).await;
    assert!(unknown.contains("{user}"), "{unknown}");
    for (body, field) in [
        (json!({ "url_template": "https://x.example/?a={user_id" }), "url_template"),
        (json!({ "url_template": "javascript:alert(1)" }), "url_template"),
        (json!({ "url_template": "https://x.example/", "signature": "sha1" }), "signature"),
        (json!({ "url_template": "https://x.example/", "max_retries": -1 }), "max_retries"),
        (json!({ "url_template": "https://x.example/", "retry_interval_seconds": 0 }), "retry_interval_seconds"),
    ] {
        let message = expect_error(put(body).await.expect("PUT"), 422).await;
        assert!(message.starts_with(field), "{message}");
    }
    expect_error(put(json!({})).await.expect("PUT"), 422).await;
    expect_error(app.get(&path).await, 404).await;
    let missing = app
        .client
        .put(app.url("/api/admin/publishers/ffffffffffffffffffffffff/postback"))
        .bearer_auth(&app.token)
        .json(&json!({ "url_template": "https://x.example/" }))
        .send()
        .await
        .expect("PUT");
    expect_error(missing, 404).await;
    let anonymous = app.client.put(app.url(&path)).json(&json!({ "url_template": "https://x.example/" })).send().await.expect("PUT");
    expect_error(anonymous, 401).await;
});
