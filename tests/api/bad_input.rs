//! Malformed, missing, oversized and hostile input gets a clear 4xx, never a 500.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(malformed_bodies_get_clear_4xx, |app| {
    let post_raw = |body: &'static str, content_type: &'static str| {
        app.client.post(app.url("/api/admin/networks")).bearer_auth(&app.token).header("content-type", content_type).body(body).send()
    };
    expect_error(post_raw("{\"name\": ", "application/json").await.expect("send"), 400).await;
    expect_error(post_raw("not json at all", "application/json").await.expect("send"), 400).await;
    expect_error(post_raw("{\"name\":\"x\"}", "text/plain").await.expect("send"), 400).await;
    let missing = expect_error(post_raw("{}", "application/json").await.expect("send"), 422).await;
    assert!(missing.contains("name"), "{missing}");
    expect_error(post_raw("{\"name\": 5}", "application/json").await.expect("send"), 422).await;
    expect_error(post_raw("[]", "application/json").await.expect("send"), 422).await;

    let huge = format!("{{\"name\":\"{}\"}}", "x".repeat(200_000));
    // A separate client: the server may close this connection after answering 413 early.
    let one_off = reqwest::Client::builder().pool_max_idle_per_host(0).build().expect("client");
    let response = one_off
        .post(app.url("/api/admin/networks"))
        .bearer_auth(&app.token)
        .header("content-type", "application/json")
        .body(huge)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status(), 413);

    let long_name = "n".repeat(101);
    expect_error(app.post_json("/api/admin/networks", json!({ "name": long_name })).await, 422).await;
    expect_error(app.post_json("/api/admin/networks", json!({ "name": "   " })).await, 422).await;
});

on_both_backends!(unknown_paths_and_long_uris, |app| {
    expect_error(app.get("/api/admin/nothing-here").await, 404).await;
    let long = format!("/api/admin/networks?x={}", "a".repeat(9000));
    expect_error(app.get(&long).await, 414).await;
});

on_both_backends!(hostile_strings_are_stored_verbatim_and_returned_as_json, |app| {
    let with_nul = expect_error(app.post_json("/api/admin/networks", json!({ "name": "bad\u{0}name" })).await, 422).await;
    assert!(with_nul.contains("control"), "{with_nul}");
    let hostile = "<img src=x onerror=alert(1)>'; DROP TABLE networks; -- \u{202e}é";
    let response = app.post_json("/api/admin/networks", json!({ "name": hostile })).await;
    assert_eq!(response.status(), 201);
    let id = response.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let fetched: Value = app.get(&format!("/api/admin/networks/{id}")).await.json().await.expect("json");
    assert_eq!(fetched["name"], hostile.trim());
    let listed = app.get("/api/admin/networks").await;
    assert_eq!(listed.status(), 200);

    let hostile_publisher =
        app.post_json("/api/admin/publishers", json!({ "name": "<script>alert(1)</script>", "id": "'; DROP TABLE publishers;--" })).await;
    expect_error(hostile_publisher, 422).await;
    let weird_path = app.get("/api/admin/publishers/%3Cscript%3E").await;
    expect_error(weird_path, 404).await;
});
