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

/// The series `/metrics` lists: every sample line without its value.
async fn metric_series(app: &crate::helpers::TestApp) -> std::collections::BTreeSet<String> {
    let text = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    text.lines().filter(|l| !l.starts_with('#')).filter_map(|l| l.rsplit_once(' ').map(|(series, _)| series.to_owned())).collect()
}

on_both_backends!(random_methods_and_paths_do_not_grow_metrics, |app| {
    let send = |method: String, path: String| {
        let client = app.client.clone();
        let url = app.url(&path);
        async move {
            let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method token");
            client.request(method, url).send().await.expect("request").status()
        }
    };
    // Warm up every label set the flood can reach.
    send("RWARM".into(), "/healthz".into()).await;
    send("RWARM".into(), "/no/such/warm".into()).await;
    metric_series(&app).await;
    let before = metric_series(&app).await;

    for _ in 0..200 {
        let random = uuid::Uuid::new_v4().simple().to_string();
        send(format!("R{}", &random[..8]).to_uppercase(), "/healthz".into()).await;
        send(format!("X{}", &random[8..16]).to_uppercase(), format!("/no/such/{random}")).await;
    }
    let after = metric_series(&app).await;
    assert_eq!(before, after, "random methods and paths added series");
    assert!(after.iter().any(|s| s.contains("method=\"OTHER\"")), "{after:?}");
});
