//! `/metrics` beyond HTTP requests: postbacks by source and outcome with their ingest latency,
//! the writer's batches, delivery attempts, queue depths, live-feed clients and the pool; and the
//! optional bearer token.

use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::Receiver;

/// The value of the sample line `series` (e.g. `taprain_feed_clients`), if `/metrics` lists it.
async fn sample(app: &TestApp, series: &str) -> Option<f64> {
    let text = app.client.get(app.url("/metrics")).send().await.expect("metrics").text().await.expect("text");
    text.lines().find_map(|line| line.strip_prefix(series)?.strip_prefix(' ')?.parse().ok())
}

/// Waits (5 s at most) until `series` reaches `want`.
async fn sample_reaches(app: &TestApp, series: &str, want: f64) -> f64 {
    let mut seen = None;
    for _ in 0..100 {
        seen = sample(app, series).await;
        if seen.is_some_and(|v| v >= want) {
            return seen.unwrap_or_default();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{series} stayed at {seen:?}, wanted {want}");
}

fn allow_private(s: &mut app::server::settings::Settings) {
    s.deliveries.allow_private_targets = true;
}

on_both_backends!(metrics_change_as_postbacks_arrive, settings(allow_private), |app| {
    let ok = r#"taprain_postbacks_total{source="cpa",outcome="ok"}"#;
    let duplicate = r#"taprain_postbacks_total{source="cpa",outcome="duplicate"}"#;
    let refused = r#"taprain_postbacks_total{source="cpa",outcome="unauthorized"}"#;
    let latency = r#"taprain_ingest_latency_seconds_count{source="cpa"}"#;
    assert_eq!(sample(&app, ok).await, None, "nothing counted before the first postback");
    assert_eq!(sample(&app, r#"taprain_queue_depth{queue="writer"}"#).await, Some(0.0));
    assert_eq!(sample(&app, r#"taprain_queue_depth{queue="deliveries_failed"}"#).await, Some(0.0));
    assert!(sample(&app, r#"taprain_db_pool_connections{state="idle"}"#).await.is_some());

    let cpa = app.setup_cpa().await;
    let receiver = Receiver::start(200, "1").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb?tx={tx_id}") })).await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.cpa("trk_wrong", SEED_QUERY).await.status(), 401);

    assert_eq!(sample(&app, ok).await, Some(1.0));
    assert_eq!(sample(&app, duplicate).await, Some(1.0));
    assert_eq!(sample(&app, refused).await, Some(1.0));
    assert_eq!(sample(&app, latency).await, Some(3.0));
    assert!(sample(&app, "taprain_writer_batch_items_count").await.is_some_and(|batches| batches >= 3.0));
    assert!(sample(&app, "taprain_writer_commit_seconds_sum").await.is_some_and(|seconds| seconds > 0.0));
    sample_reaches(&app, r#"taprain_delivery_attempts_total{outcome="delivered"}"#, 1.0).await;

    let reward = app.setup_reward().await;
    assert_eq!(app.reward_postback(&reward.secret, seed_level(5)).await.status(), 200);
    assert_eq!(sample(&app, r#"taprain_postbacks_total{source="reward",outcome="ok"}"#).await, Some(1.0));

    assert_eq!(sample(&app, "taprain_feed_clients").await, Some(0.0));
    let feed = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");
    assert_eq!(feed.status(), 200);
    sample_reaches(&app, "taprain_feed_clients", 1.0).await;
    drop(feed);
});

on_both_backends!(a_metrics_token_is_required_once_set, settings(|s| s.metrics_token = Some("scrape-token-1".into())), |app| {
    let anonymous = app.client.get(app.url("/metrics")).send().await.expect("metrics");
    assert_eq!(anonymous.status(), 401);
    let wrong = app.client.get(app.url("/metrics")).bearer_auth("scrape-token-2").send().await.expect("metrics");
    assert_eq!(wrong.status(), 401);
    let scraped = app.client.get(app.url("/metrics")).bearer_auth("scrape-token-1").send().await.expect("metrics");
    assert_eq!(scraped.status(), 200);
    assert!(scraped.text().await.expect("text").contains("taprain_queue_depth"));
});
