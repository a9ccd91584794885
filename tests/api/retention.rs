//! Retention prunes postback log rows, never-converted clicks and delivery attempts older than
//! the cutoff — and nothing else: conversions, ledger entries and the audit log stay.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::Receiver;

async fn count(app: &TestApp, table: &str) -> i64 {
    sqlx::query_as::<_, (i64,)>(&format!("SELECT COUNT(*) FROM {table}")).fetch_one(app.db.pool()).await.expect("count").0
}

async fn backdate(app: &TestApp, sql: &str, at: i64) {
    sqlx::query(sql).bind(at).execute(app.db.pool()).await.expect("backdate");
}

on_both_backends!(retention_prunes_only_what_it_should, settings(|s| s.deliveries.allow_private_targets = true), |app| {
    // A conversion with its log row, ledger entry and a delivered postback (one attempt).
    let receiver = Receiver::start(200, "OK").await;
    let cpa = app.setup_cpa().await;
    let put = app
        .client
        .put(app.url(&format!("/api/admin/publishers/{SEED_PUBLISHER}/postback")))
        .bearer_auth(&app.token)
        .json(&json!({ "url_template": receiver.url("/cb?tx={tx_id}") }))
        .send()
        .await
        .expect("PUT");
    assert_eq!(put.status(), 200);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    for _ in 0..200 {
        if count(&app, "delivery_attempts").await > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(count(&app, "delivery_attempts").await, 1);

    // Two clicks on a wall: one converted (linked to the conversion), one not.
    let offer =
        app.create_offer(json!({ "name": "Old offer", "payout_cents": 100, "url_template": "https://adv.example/?c={click_id}" })).await;
    assert!(!offer.is_empty());
    let wall = app.create_wall(SEED_PUBLISHER, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.click_link(&wall, "").await;
    app.click(&link).await;
    app.click(&link).await;
    let clicks: Vec<(String,)> = sqlx::query_as("SELECT id FROM clicks ORDER BY id").fetch_all(app.db.pool()).await.expect("clicks");
    assert_eq!(clicks.len(), 2);
    sqlx::query("UPDATE conversions SET click_id = $1").bind(&clicks[0].0).execute(app.db.pool()).await.expect("link click");

    // Everything so far is 100 days old.
    let now = chrono::Utc::now().timestamp_millis();
    let old = now - 100 * 86_400_000;
    backdate(&app, "UPDATE postback_log SET received_at = $1", old).await;
    backdate(&app, "UPDATE clicks SET created_at = $1", old).await;
    backdate(&app, "UPDATE delivery_attempts SET attempted_at = $1", old).await;
    backdate(&app, "UPDATE conversions SET created_at = $1", old).await;

    // Fresh rows: a new log row (a refused call), a new click.
    expect_cpa(app.cpa("wrong-key", SEED_QUERY).await, 401, "Unauthorized").await;
    app.click(&link).await;

    let (conversions, ledger, audit) =
        (count(&app, "conversions").await, count(&app, "ledger_entries").await, count(&app, "audit_log").await);
    let log_before = count(&app, "postback_log").await;
    assert!(log_before >= 2);

    let cutoff = app::server::retention::cutoff(now, 90);
    let pruned = app::server::retention::prune(&app.db, cutoff, 1).await.expect("prune");
    assert_eq!(pruned.postback_log as i64, log_before - 1, "every old log row, one batch at a time");
    assert_eq!(pruned.clicks, 1, "only the old click that never converted");
    assert_eq!(pruned.delivery_attempts, 1);

    assert_eq!(count(&app, "postback_log").await, 1, "the fresh log row stays");
    let left: Vec<(String,)> = sqlx::query_as("SELECT id FROM clicks").fetch_all(app.db.pool()).await.expect("clicks");
    assert_eq!(left.len(), 2);
    assert!(left.contains(&clicks[0]), "the converted click stays");
    assert!(!left.contains(&clicks[1]), "the unconverted old click is gone");
    assert_eq!(count(&app, "delivery_attempts").await, 0);
    assert_eq!(count(&app, "conversions").await, conversions, "conversions are never pruned");
    assert_eq!(count(&app, "ledger_entries").await, ledger, "the ledger is never pruned");
    assert_eq!(count(&app, "audit_log").await, audit, "the audit log is never pruned");
    assert_eq!(count(&app, "deliveries").await, 1, "the delivery itself stays");
    assert_ledger_consistent(&app).await;

    // A second run finds nothing.
    assert_eq!(app::server::retention::prune(&app.db, cutoff, 500).await.expect("prune"), Default::default());
});
