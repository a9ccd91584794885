//! Exactly-once crediting: duplicates, concurrent retries, reversals in either order.

use app::server::ledger;
use serde_json::Value;

use crate::helpers::*;
use crate::on_both_backends;

async fn ledger_entries(app: &TestApp) -> Vec<(String, i64)> {
    sqlx::query_as("SELECT source_ref, delta FROM ledger_entries ORDER BY id").fetch_all(app.db.pool()).await.expect("entries")
}

async fn assert_ledger_consistent(app: &TestApp) {
    let (_, mismatches) = ledger::verify(&mut app.db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty(), "{mismatches:?}");
}

on_both_backends!(sixty_four_concurrent_identical_postbacks_credit_once, |app| {
    let cpa = app.setup_cpa().await;
    let calls = (0..64).map(|_| app.cpa(&cpa.key, SEED_QUERY));
    let responses = futures::future::join_all(calls).await;
    for response in responses {
        expect_cpa(response, 200, "ok").await;
    }
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    assert_eq!(ledger_entries(&app).await.len(), 1);
    assert_eq!(app.conversions("").await.len(), 1);
    let log: Value = app.get("/api/admin/postback-log?outcome=duplicate&limit=1000").await.json().await.expect("json");
    assert_eq!(log["items"].as_array().expect("items").len(), 63);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(click_id_deduplicates_when_there_is_no_lead_id, |app| {
    let cpa = app.setup_cpa().await;
    let query = format!("external_identifier={SEED_PUBLISHER}&amount=100&click_id=clk-1");
    expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;
    expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 100);
    // Without either id every postback is its own conversion.
    let anonymous = format!("external_identifier={SEED_PUBLISHER}&amount=100");
    expect_cpa(app.cpa(&cpa.key, &anonymous).await, 200, "ok").await;
    expect_cpa(app.cpa(&cpa.key, &anonymous).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 300);
    // The same lead id from another network is another conversion.
    let (other, other_key) = app.create_network("Other").await;
    app.post_json(&format!("/api/admin/networks/{other}/ips"), serde_json::json!({ "ip": "127.0.0.1" })).await;
    expect_cpa(app.cpa(&other_key, &query).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 400);
});

on_both_backends!(a_reversal_posts_a_compensating_entry, |app| {
    let cpa = app.setup_cpa().await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    let reversal = SEED_QUERY.replace("status=1", "status=2");
    expect_cpa(app.cpa(&cpa.key, &reversal).await, 200, "ok").await;
    expect_cpa(app.cpa(&cpa.key, &reversal).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    let entries = ledger_entries(&app).await;
    assert_eq!(entries.len(), 2, "{entries:?}");
    assert_eq!(entries[0].1, 350);
    assert_eq!(entries[1].1, -350);
    assert_eq!(app.conversions("").await[0]["state"], "reversed");
    // A credit replayed after the reversal changes nothing.
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(a_reversal_before_its_credit_is_settled_when_the_credit_arrives, |app| {
    let cpa = app.setup_cpa().await;
    let reversal = SEED_QUERY.replace("status=1", "status=2");
    expect_cpa(app.cpa(&cpa.key, &reversal).await, 200, "ok").await;
    assert_eq!(app.conversions("").await[0]["state"], "reversal_pending");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    let items = app.conversions("").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["state"], "reversed");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    let entries = ledger_entries(&app).await;
    assert_eq!(entries.iter().map(|e| e.1).collect::<Vec<_>>(), vec![350, -350]);
    assert_ledger_consistent(&app).await;
});

on_both_backends!(other_statuses_wait_as_pending_until_approved, |app| {
    let cpa = app.setup_cpa().await;
    expect_cpa(app.cpa(&cpa.key, &SEED_QUERY.replace("status=1", "status=3")).await, 200, "ok").await;
    assert_eq!(app.conversions("status=pending").await.len(), 1);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.conversions("status=credited").await.len(), 1);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    expect_error(app.get("/api/admin/conversions?status=bogus").await, 422).await;
});

on_both_backends!(listings_filter_and_come_newest_first, |app| {
    let cpa = app.setup_cpa().await;
    for i in 0..5 {
        expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=10&lead_id=l{i}")).await, 200, "ok").await;
    }
    let items = app.conversions("limit=3").await;
    assert_eq!(items.iter().map(|c| c["lead_id"].as_str().expect("lead")).collect::<Vec<_>>(), vec!["l4", "l3", "l2"]);
    assert_eq!(app.conversions(&format!("network={}", cpa.network_id)).await.len(), 5);
    assert_eq!(app.conversions(&format!("publisher={SEED_PUBLISHER}")).await.len(), 5);
    assert_eq!(app.conversions("network=net_other").await.len(), 0);
    assert_eq!(app.conversions("status=held").await.len(), 0);
});

on_both_backends!(listed_conversions_carry_their_lifecycle_as_status, |app| {
    let cpa = app.setup_cpa().await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    let items = app.conversions("status=credited").await;
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["status"], "credited");
    assert_eq!(items[0]["state"], "credited");
    assert_eq!(items[0]["network_status"], "1");
});
