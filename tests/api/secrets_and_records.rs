//! Secrets and records: admin API tokens listed by hint and revoked at once, session ids stored
//! hashed, and an audit log that refuses to be changed.

use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::helpers::*;
use crate::on_both_backends;

async fn sign_in_cookie(app: &TestApp) -> String {
    let response =
        app.client.post(app.url("/api/login")).form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)]).send().await.expect("login");
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("taprain_session="))
        .and_then(|c| c.split(';').next())
        .expect("session cookie")
        .to_owned()
}

on_both_backends!(admin_tokens_are_listed_by_hint_and_revoked_at_once, |app| {
    let email = app::domain::Email::parse(ADMIN_EMAIL).expect("email");
    let admin =
        app::server::users::find_by_email(&mut app.db.pool().acquire().await.expect("conn"), &email).await.expect("find").expect("admin");
    let second = app::server::auth::tokens::create(&mut app.db.pool().acquire().await.expect("conn"), &admin.id).await.expect("token");
    let with_second = || app.client.get(app.url("/api/admin/networks")).bearer_auth(&second);
    assert_eq!(with_second().send().await.expect("GET").status(), 200);

    let response = app.get(&format!("/api/admin/tokens?email={ADMIN_EMAIL}")).await;
    assert_eq!(response.status(), 200);
    let text = response.text().await.expect("text");
    assert!(!text.contains(&app.token) && !text.contains(&second), "tokens are never listed: {text}");
    let listed: Value = serde_json::from_str(&text).expect("json");
    let items = listed["items"].as_array().expect("items");
    assert_eq!(items.len(), 2);
    let entry = items.iter().find(|t| t["hint"] == format!("{}…", &second[..8])).expect("the second token by hint");
    assert_eq!(entry["owner_email"], ADMIN_EMAIL);
    assert!(entry["created_at"].as_i64().is_some() && entry["last_used_at"].as_i64().is_some(), "{entry}");
    assert!(entry["revoked_at"].is_null());
    let id = entry["id"].as_str().expect("id").to_owned();
    let other: Value = app.get("/api/admin/tokens?email=nobody@example.com").await.json().await.expect("json");
    assert!(other["items"].as_array().expect("items").is_empty());

    assert_eq!(app.delete(&format!("/api/admin/tokens/{id}")).await.status(), 204);
    let refused = with_second().send().await.expect("GET");
    expect_error(refused, 401).await;
    assert_eq!(app.get("/api/admin/networks").await.status(), 200, "the other token still works");
    expect_error(app.delete("/api/admin/tokens/tok_unknown").await, 404).await;
    let after: Value = app.get("/api/admin/tokens").await.json().await.expect("json");
    let revoked = after["items"].as_array().expect("items").iter().find(|t| t["id"] == id.as_str()).expect("still listed").clone();
    assert!(revoked["revoked_at"].as_i64().is_some());
    let audit: Value = app.get("/api/admin/audit?action=admin_token.revoke").await.json().await.expect("json");
    assert_eq!(audit["items"][0]["target"], id.as_str());
});

on_both_backends!(session_ids_are_stored_hashed, |app| {
    let cookie = sign_in_cookie(&app).await;
    let stored: Vec<(String,)> = sqlx::query_as("SELECT id FROM sessions").fetch_all(app.db.pool()).await.expect("sessions");
    assert!(!stored.is_empty());
    assert!(stored.iter().all(|(id,)| id != &cookie), "the session id itself is not stored");
    let digest: String = Sha256::digest(cookie.as_bytes()).iter().map(|b| format!("{b:02x}")).collect();
    assert!(stored.iter().any(|(id,)| id == &digest), "stored under its SHA-256");
    // And the cookie still signs the admin in.
    let response = app.client.get(app.url("/api/admin/networks")).header("cookie", format!("taprain_session={cookie}")).send().await;
    assert_eq!(response.expect("GET").status(), 200);
});

on_both_backends!(the_audit_log_is_append_only, |app| {
    app.create_publisher("Audited").await;
    let pool = app.db.pool();
    let count = || async { sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM audit_log").fetch_one(pool).await.expect("count").0 };
    let before = count().await;
    assert!(before >= 2);
    let update = sqlx::query("UPDATE audit_log SET actor = 'someone-else'").execute(pool).await;
    assert!(update.is_err(), "an audit UPDATE is refused");
    let delete = sqlx::query("DELETE FROM audit_log").execute(pool).await;
    assert!(delete.is_err(), "an audit DELETE is refused");
    if app.database_url.starts_with("postgres") {
        assert!(sqlx::query("TRUNCATE audit_log").execute(pool).await.is_err(), "TRUNCATE is refused");
        assert!(sqlx::query("TRUNCATE ledger_entries").execute(pool).await.is_err(), "the ledger refuses TRUNCATE too");
    }
    assert_eq!(count().await, before);
    let actors: Vec<(String,)> = sqlx::query_as("SELECT actor FROM audit_log").fetch_all(pool).await.expect("actors");
    assert!(actors.iter().all(|(a,)| a != "someone-else"));
    // Appending still works.
    app.create_publisher("Audited too").await;
    assert_eq!(count().await, before + 1);
});
