//! The SSRF guard on outbound postbacks: targets on loopback, private, link-local, unspecified
//! or IPv4-mapped addresses — in any spelling, or behind a name — are refused unless
//! `TAPRAIN_ALLOW_PRIVATE_POSTBACK_TARGETS` is set; redirects are never followed.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::Receiver;

async fn set_template(app: &TestApp, publisher: &str, template: &str) {
    let response = app
        .client
        .put(app.url(&format!("/api/admin/publishers/{publisher}/postback")))
        .bearer_auth(&app.token)
        .json(&json!({ "url_template": template, "max_retries": 0 }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(response.status(), 200, "{template}");
}

on_both_backends!(private_targets_are_refused, |app| {
    let receiver = Receiver::start(200, "OK").await;
    let port = receiver.address.port();
    let publisher = app.create_publisher("SSRF").await;
    for target in [
        format!("http://127.0.0.1:{port}/cb"),
        format!("http://localhost:{port}/cb"),
        format!("http://2130706433:{port}/cb"),
        format!("http://0177.0.0.1:{port}/cb"),
        format!("http://[::1]:{port}/cb"),
        format!("http://[::ffff:127.0.0.1]:{port}/cb"),
        format!("http://0.0.0.0:{port}/cb"),
        "http://10.0.0.1/cb".to_owned(),
        "http://169.254.169.254/latest/meta-data/".to_owned(),
        "http://100.64.0.1/cb".to_owned(),
    ] {
        set_template(&app, &publisher, &target).await;
        let response = app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await;
        assert_eq!(response.status(), 200);
        let test: Value = response.json().await.expect("json");
        assert_eq!(test["delivered"], false, "{target}");
        assert!(test["error"].as_str().unwrap_or_default().contains("SSRF"), "{target}: {test}");
    }
    assert!(receiver.requests().is_empty(), "nothing reached the private receiver");

    // Queued deliveries are refused the same way, and end failed.
    let setup = app.setup_cpa().await;
    set_template(&app, SEED_PUBLISHER, &format!("http://localhost:{port}/cb")).await;
    assert_eq!(app.cpa(&setup.key, SEED_QUERY).await.status(), 200);
    let mut failed = Vec::new();
    for _ in 0..200 {
        let body: Value = app.get("/api/admin/deliveries?status=failed").await.json().await.expect("json");
        failed = body["items"].as_array().expect("items").clone();
        if !failed.is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(failed.len(), 1);
    assert!(failed[0]["last_error"].as_str().unwrap_or_default().contains("SSRF"));
    assert!(receiver.requests().is_empty());
});

on_both_backends!(ipv6_spellings_of_private_ipv4_and_site_local_are_refused, |app| {
    let receiver = Receiver::start(200, "OK").await;
    let port = receiver.address.port();
    let publisher = app.create_publisher("SSRF v6").await;
    for host in [
        "[::127.0.0.1]",               // IPv4-compatible loopback
        "[2002:7f00:1::1]",            // 6to4 of 127.0.0.1
        "[2001:0:7f00:1::1]",          // Teredo via server 127.0.0.1
        "[2001:0:808:808::80ff:fffe]", // Teredo to client 127.0.0.1
        "[fec0::1]",                   // site-local
    ] {
        let target = format!("http://{host}:{port}/cb");
        set_template(&app, &publisher, &target).await;
        let test: Value =
            app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await.json().await.expect("json");
        assert_eq!(test["delivered"], false, "{target}");
        assert!(test["error"].as_str().unwrap_or_default().contains("SSRF"), "{target}: {test}");
    }
    assert!(receiver.requests().is_empty());
});

on_both_backends!(redirects_are_not_followed, settings(|s| s.deliveries.allow_private_targets = true), |app| {
    let inner = Receiver::start(200, "OK").await;
    let outer = Receiver::start(200, "").await;
    outer.answer(302, &format!("REDIRECT {}", inner.url("/metadata")));
    let publisher = app.create_publisher("Redirect").await;
    set_template(&app, &publisher, &outer.url("/cb")).await;
    let test: Value =
        app.post_json(&format!("/api/admin/publishers/{publisher}/postback/test"), json!({})).await.json().await.expect("json");
    assert_eq!(test["status_code"], 302);
    assert_eq!(test["delivered"], false);
    assert_eq!(outer.requests().len(), 1);
    assert!(inner.requests().is_empty(), "the redirect was not followed");
});
