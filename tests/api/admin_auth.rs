use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(admin_api_requires_a_valid_token, |app| {
    let none = app.client.get(app.url("/api/admin/networks")).send().await.expect("request");
    assert_eq!(expect_error(none, 401).await, "Unauthorized");

    let wrong = app.client.get(app.url("/api/admin/networks")).bearer_auth("tra_not_a_real_token").send().await.expect("request");
    assert_eq!(expect_error(wrong, 401).await, "Unauthorized");

    let basic =
        app.client.get(app.url("/api/admin/networks")).header("authorization", "Basic YWRtaW46YWRtaW4=").send().await.expect("request");
    expect_error(basic, 401).await;

    let right = app.get("/api/admin/networks").await;
    assert_eq!(right.status(), 200);

    let create = app.client.post(app.url("/api/admin/networks")).json(&serde_json::json!({ "name": "x" })).send().await.expect("request");
    expect_error(create, 401).await;
});

on_both_backends!(revoked_tokens_stop_working, |app| {
    sqlx::query("UPDATE admin_tokens SET revoked_at = 1").execute(app.db.pool()).await.expect("revoke");
    expect_error(app.get("/api/admin/networks").await, 401).await;
});
