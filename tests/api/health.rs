use crate::on_both_backends;

on_both_backends!(healthz_readyz_and_metrics_answer, |app| {
    let health = app.client.get(app.url("/healthz")).send().await.expect("healthz");
    assert_eq!(health.status(), 200);
    assert!(health.headers().contains_key("x-request-id"), "every response carries a request id");
    assert_eq!(health.text().await.expect("body"), "ok");

    let ready = app.client.get(app.url("/readyz")).send().await.expect("readyz");
    assert_eq!(ready.status(), 200);

    let metrics = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    assert!(metrics.contains("taprain_http_requests_total"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
    assert!(metrics.contains("taprain_http_request_duration_seconds"), "{metrics}");
});

on_both_backends!(openapi_document_lists_the_admin_api, |app| {
    let doc: serde_json::Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("openapi").json().await.expect("json");
    assert!(doc["openapi"].as_str().expect("version").starts_with("3."));
    for path in [
        "/api/admin/networks",
        "/api/admin/networks/{id}/ips",
        "/api/admin/networks/{id}/ips/{ip}",
        "/api/admin/networks/{id}/keys/rotate",
        "/api/admin/publishers",
        "/api/admin/publishers/{id}",
    ] {
        assert!(doc["paths"][path].is_object(), "missing {path}");
    }
});

on_both_backends!(pages_and_apis_carry_security_headers, |app| {
    let page = app.client.get(app.url("/login")).send().await.expect("login page");
    assert_eq!(page.status(), 200);
    let headers = page.headers().clone();
    assert_eq!(headers["x-frame-options"], "DENY");
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert!(headers["referrer-policy"].to_str().expect("ascii").contains("origin"));
    let csp = headers["content-security-policy"].to_str().expect("ascii");
    assert!(csp.contains("'nonce-") && csp.contains("frame-ancestors 'none'"), "{csp}");
    assert!(!headers.contains_key("strict-transport-security"), "no HSTS over plain HTTP in development");

    let missing = app.client.get(app.url("/no/such/page")).send().await.expect("404 page");
    assert_eq!(missing.status(), 404);
});
