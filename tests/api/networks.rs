use app::server::networks::authenticate_key;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(create_network_shows_the_key_once_and_stores_a_hash, |app| {
    let response = app.post_json("/api/admin/networks", json!({ "name": "Acme Ads" })).await;
    assert_eq!(response.status(), 201);
    let body: Value = response.json().await.expect("json");
    let key = body["key"].as_str().expect("key");
    assert!(key.starts_with("trk_") && key.len() > 40);
    assert_eq!(body["name"], "Acme Ads");
    let id = body["id"].as_str().expect("id");

    let listed = app.get(&format!("/api/admin/networks/{id}")).await.text().await.expect("text");
    assert!(!listed.contains(key), "the key is never listed");
    let audit = app.get("/api/admin/audit").await.text().await.expect("text");
    assert!(audit.contains("network.create") && !audit.contains(key), "audited without the key");

    let stored: Vec<(String,)> = sqlx::query_as("SELECT key_hash FROM network_keys").fetch_all(app.db.pool()).await.expect("rows");
    assert_eq!(stored.len(), 1);
    assert_ne!(stored[0].0, key);
    let mut conn = app.db.pool().acquire().await.expect("conn");
    assert_eq!(authenticate_key(&mut conn, key).await.expect("auth").as_deref(), Some(id));
    assert_eq!(authenticate_key(&mut conn, "trk_wrong").await.expect("auth"), None);
});

on_both_backends!(approved_ips_accept_v4_v6_and_cidr_and_can_be_removed, |app| {
    let (id, _) = app.create_network("IPs").await;
    for ip in ["203.0.113.7", "198.51.100.0/24", "2001:db8::1", "2001:db8:abcd::/48"] {
        let response = app.post_json(&format!("/api/admin/networks/{id}/ips"), json!({ "ip": ip })).await;
        assert_eq!(response.status(), 201, "{ip}");
    }
    // Host bits are cleared and approving twice is harmless.
    let response = app.post_json(&format!("/api/admin/networks/{id}/ips"), json!({ "ip": "198.51.100.9/24" })).await;
    assert_eq!(response.status(), 201);
    let network: Value = app.get(&format!("/api/admin/networks/{id}")).await.json().await.expect("json");
    assert_eq!(network["ips"], json!(["203.0.113.7", "198.51.100.0/24", "2001:db8::1", "2001:db8:abcd::/48"]));

    let removed = app.delete(&format!("/api/admin/networks/{id}/ips/198.51.100.0%2F24")).await;
    assert_eq!(removed.status(), 204);
    let removed = app.delete(&format!("/api/admin/networks/{id}/ips/2001:db8::1")).await;
    assert_eq!(removed.status(), 204);
    expect_error(app.delete(&format!("/api/admin/networks/{id}/ips/2001:db8::1")).await, 404).await;
    let network: Value = app.get(&format!("/api/admin/networks/{id}")).await.json().await.expect("json");
    assert_eq!(network["ips"], json!(["203.0.113.7", "2001:db8:abcd::/48"]));
});

on_both_backends!(ip_errors_are_named, |app| {
    let (id, _) = app.create_network("Errors").await;
    for bad in ["", "300.1.1.1", "1.2.3.4/40", "example.com", "<script>"] {
        let message = expect_error(app.post_json(&format!("/api/admin/networks/{id}/ips"), json!({ "ip": bad })).await, 422).await;
        assert!(message.starts_with("ip:"), "{message}");
    }
    expect_error(app.post_json("/api/admin/networks/net_missing/ips", json!({ "ip": "1.2.3.4" })).await, 404).await;
    expect_error(app.delete(&format!("/api/admin/networks/{id}/ips/not-an-ip")).await, 422).await;
    expect_error(app.get("/api/admin/networks/net_missing").await, 404).await;
});

on_both_backends!(rotation_keeps_the_old_key_for_the_overlap_only, |app| {
    let (id, first) = app.create_network("Rotating").await;
    let response = app.post_json(&format!("/api/admin/networks/{id}/keys/rotate"), json!({ "overlap_seconds": 2 })).await;
    assert_eq!(response.status(), 201);
    let second = response.json::<Value>().await.expect("json")["key"].as_str().expect("key").to_owned();
    assert_ne!(first, second);

    let mut conn = app.db.pool().acquire().await.expect("conn");
    assert!(authenticate_key(&mut conn, &first).await.expect("auth").is_some(), "old key works during the overlap");
    assert!(authenticate_key(&mut conn, &second).await.expect("auth").is_some());
    tokio::time::sleep(std::time::Duration::from_millis(2300)).await;
    assert!(authenticate_key(&mut conn, &first).await.expect("auth").is_none(), "old key stops after the overlap");
    assert!(authenticate_key(&mut conn, &second).await.expect("auth").is_some());

    // Zero overlap retires the current key at once.
    let third = app
        .post_json(&format!("/api/admin/networks/{id}/keys/rotate"), json!({ "overlap_seconds": 0 }))
        .await
        .json::<Value>()
        .await
        .expect("json");
    assert!(authenticate_key(&mut conn, &second).await.expect("auth").is_none());
    assert!(authenticate_key(&mut conn, third["key"].as_str().expect("key")).await.expect("auth").is_some());

    let network: Value = app.get(&format!("/api/admin/networks/{id}")).await.json().await.expect("json");
    assert_eq!(network["keys"].as_array().expect("keys").len(), 3);
    expect_error(app.post_json(&format!("/api/admin/networks/{id}/keys/rotate"), json!({ "overlap_seconds": -1 })).await, 422).await;
    expect_error(app.post_json("/api/admin/networks/net_missing/keys/rotate", json!({ "overlap_seconds": 5 })).await, 404).await;
});
