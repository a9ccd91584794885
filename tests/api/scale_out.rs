//! Several instances on one PostgreSQL (issue 15): cache changes and live-feed events cross
//! instances through `LISTEN/NOTIFY`, the reward cursor stays gap-free with two writers, and three
//! delivery workers send each delivery once. PostgreSQL only: SQLite is one process.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::State;
use axum::http::Uri;
use futures::StreamExt;
use serde_json::{json, Value};

use crate::helpers::{allow_private, expect_cpa, seed_level, try_spawn, Backend, CpaSetup, TestApp, SEED_PUBLISHER, SEED_QUERY, SEED_UID};

/// The first instance on a fresh PostgreSQL database, or `None` (the test is skipped) when
/// `TAPRAIN_TEST_POSTGRES_URL` is not set.
async fn first_instance(tweak: impl FnOnce(&mut app::server::settings::Settings)) -> Option<TestApp> {
    let app = try_spawn(Backend::Postgres, tweak).await;
    if app.is_none() {
        eprintln!("TAPRAIN_TEST_POSTGRES_URL not set: scale-out test skipped");
    }
    app
}

/// Calls `ask` every 20 ms until it says yes; returns how long that took, panicking after `limit`.
async fn time_until<F, Fut>(limit: Duration, what: &str, mut ask: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    loop {
        if ask().await {
            return start.elapsed();
        }
        assert!(start.elapsed() < limit, "{what} took longer than {limit:?}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// Revokes the network's first key through `app`.
async fn revoke_first_key(app: &TestApp, network_id: &str) {
    let network: Value = app.get(&format!("/api/admin/networks/{network_id}")).await.json().await.expect("json");
    let key_id = network["keys"][0]["id"].as_str().expect("key id").to_owned();
    assert_eq!(app.delete(&format!("/api/admin/networks/{network_id}/keys/{key_id}")).await.status(), 204);
}

/// Two instances, A and B, and a CPA network whose key B has read and holds in its cache.
async fn two_instances_and_a_key_cached_on_b() -> Option<(TestApp, TestApp, CpaSetup)> {
    let a = first_instance(|_| {}).await?;
    let b = a.second_instance().await;
    let cpa = a.setup_cpa().await;
    expect_cpa(b.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    Some((a, b, cpa))
}

/// Revokes the key through A and waits for B to refuse it, a second at most.
async fn revoke_on_a_and_see_b_refuse(a: &TestApp, b: &TestApp, cpa: &CpaSetup) -> Duration {
    revoke_first_key(a, &cpa.network_id).await;
    time_until(Duration::from_secs(1), "B refusing the revoked key", || async { b.cpa(&cpa.key, SEED_QUERY).await.status() == 401 }).await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_key_revoked_through_one_instance_is_refused_by_another_within_a_second() {
    let Some((a, b, cpa)) = two_instances_and_a_key_cached_on_b().await else { return };
    let took = revoke_on_a_and_see_b_refuse(&a, &b, &cpa).await;
    eprintln!("B refused the revoked key after {took:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn after_its_listener_is_cut_an_instance_listens_again_and_hears_changes() {
    let Some((a, b, cpa)) = two_instances_and_a_key_cached_on_b().await else { return };

    // The database drops every instance's listening connection (a failover, a restart, an admin).
    let pg = sqlx::PgPool::connect(&a.database_url).await.expect("pg pool");
    let listeners = "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND query LIKE 'LISTEN%'";
    let cut: Vec<(i32,)> = sqlx::query_as(&format!("SELECT pid FROM ({listeners}) l WHERE pg_terminate_backend(pid)"))
        .fetch_all(&pg)
        .await
        .expect("terminate listeners");
    assert_eq!(cut.len(), 2, "one listener per instance");
    time_until(Duration::from_secs(5), "both instances listening again", || async {
        let found: Vec<(i32,)> = sqlx::query_as(listeners).fetch_all(&pg).await.expect("listeners");
        found.len() == 2 && found.iter().all(|(pid,)| !cut.contains(&(*pid,)))
    })
    .await;

    // B reads the key again (reconnecting cleared its cache), then A revokes it.
    expect_cpa(b.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    revoke_on_a_and_see_b_refuse(&a, &b, &cpa).await;
}

/// An open `GET /api/admin/events` stream.
struct Feed {
    response: reqwest::Response,
    buffer: String,
}

impl Feed {
    async fn open(app: &TestApp) -> Self {
        let response = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");
        assert_eq!(response.status(), 200);
        Self { response, buffer: String::new() }
    }

    /// Reads `conversion` events for `wait`, or until `enough` of them have arrived; returns them
    /// with how long after the call each arrived.
    async fn conversions(&mut self, wait: Duration, enough: usize) -> Vec<(Value, Duration)> {
        let start = Instant::now();
        let mut found = Vec::new();
        loop {
            while let Some(end) = self.buffer.find("\n\n") {
                let frame: String = self.buffer.drain(..end + 2).collect();
                if frame.lines().any(|line| line == "event: conversion") {
                    let data: String = frame.lines().filter_map(|line| line.strip_prefix("data: ")).collect();
                    found.push((serde_json::from_str(&data).expect("event JSON"), start.elapsed()));
                }
            }
            let left = wait.saturating_sub(start.elapsed());
            if found.len() >= enough || left.is_zero() {
                return found;
            }
            match tokio::time::timeout(left, self.response.chunk()).await {
                Ok(Ok(Some(chunk))) => self.buffer.push_str(&String::from_utf8_lossy(&chunk)),
                Ok(other) => panic!("the event stream ended: {other:?}"),
                Err(_) => return found,
            }
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_conversion_accepted_by_one_instance_reaches_a_feed_on_another_within_a_second_once() {
    let Some(a) = first_instance(|_| {}).await else { return };
    let b = a.second_instance().await;
    let cpa = a.setup_cpa().await;
    let mut feed_a = Feed::open(&a).await;
    let mut feed_b = Feed::open(&b).await;

    expect_cpa(a.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;

    let on_b = feed_b.conversions(Duration::from_secs(1), 1).await;
    assert_eq!(on_b.len(), 1, "the event reached B within a second");
    let (event, after) = &on_b[0];
    assert_eq!(event["kind"], "created");
    assert_eq!(event["conversion"]["lead_id"], "abc123");
    assert_eq!(event["conversion"]["publisher_id"], SEED_PUBLISHER);
    assert_eq!(event["conversion"]["status"], "credited");
    eprintln!("the event reached B {after:?} after A answered");

    // Each feed shows it once: B does not echo it back, A does not hear its own event again.
    let more_b = feed_b.conversions(Duration::from_millis(700), usize::MAX).await;
    assert!(more_b.is_empty(), "B got it twice: {more_b:?}");
    let on_a = feed_a.conversions(Duration::from_millis(700), usize::MAX).await;
    assert_eq!(on_a.len(), 1, "A's own feed: {on_a:?}");
    assert_eq!(on_a[0].0["conversion"]["id"], event["conversion"]["id"]);

    // And the other way round: a reversal through B reaches A's feed as an update.
    expect_cpa(b.cpa(&cpa.key, &SEED_QUERY.replace("status=1", "status=2")).await, 200, "ok").await;
    let on_a = feed_a.conversions(Duration::from_secs(1), 1).await;
    assert_eq!(on_a.len(), 1, "the reversal reached A within a second");
    assert_eq!(on_a[0].0["kind"], "updated");
    assert_eq!(on_a[0].0["conversion"]["status"], "reversed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_reward_cursor_stays_gap_free_under_concurrent_postbacks_on_two_instances() {
    let Some(a) = first_instance(|_| {}).await else { return };
    let reward = a.setup_reward().await;
    let b = a.second_instance().await;
    let path = |after: i64| format!("/api/reward/users/{SEED_UID}/postbacks?after={after}&limit=7");

    // The reward app polls while the postbacks arrive, resuming after the last cursor it applied
    // (from either instance). A cursor handed out before an earlier one committed would be
    // skipped for good.
    let loading = Arc::new(AtomicBool::new(true));
    let reader = {
        let (client, secret, loading) = (a.client.clone(), reward.secret.clone(), loading.clone());
        let urls = [a.url(""), b.url("")];
        tokio::spawn(async move {
            // (cursor, level, coins) as applied.
            let mut applied: Vec<(i64, i64, i64)> = Vec::new();
            let mut after = 0;
            for round in 0.. {
                let finished = !loading.load(Ordering::SeqCst);
                let page: Value = client
                    .get(format!("{}{}", urls[round % 2], path(after)))
                    .bearer_auth(&secret)
                    .send()
                    .await
                    .expect("poll")
                    .json()
                    .await
                    .expect("json");
                let items = page["items"].as_array().expect("items");
                for item in items {
                    let number = |name: &str| item[name].as_i64().expect(name);
                    applied.push((number("cursor"), number("level_number"), number("coinDelta")));
                }
                if let Some((cursor, ..)) = applied.last() {
                    after = *cursor;
                }
                if finished && items.is_empty() {
                    break;
                }
            }
            applied
        })
    };

    let calls = (1..=120).map(|level| {
        let instance = if level % 2 == 0 { &a } else { &b };
        instance.reward_postback(&reward.secret, seed_level(level))
    });
    for response in futures::future::join_all(calls).await {
        assert_eq!(response.status(), 200);
    }
    loading.store(false, Ordering::SeqCst);
    let applied = reader.await.expect("reader");

    let cursors: Vec<i64> = applied.iter().map(|(cursor, ..)| *cursor).collect();
    assert_eq!(cursors, (1..=120).collect::<Vec<_>>(), "every cursor once, in order, none skipped");
    let mut levels: Vec<i64> = applied.iter().map(|(_, level, _)| *level).collect();
    levels.sort_unstable();
    assert_eq!(levels, (1..=120).collect::<Vec<_>>());
    // What the app applied is what the ledger holds.
    let applied_coins: i64 = applied.iter().map(|(.., coins)| *coins).sum();
    assert!(applied_coins > 0);
    assert_eq!(a.reward_coins(&reward.secret, SEED_UID).await, applied_coins);
    assert_eq!(b.reward_coins(&reward.secret, SEED_UID).await, applied_coins);
}

/// A publisher's receiver that counts calls per `tx` and how many were in flight at once.
#[derive(Default)]
struct Counter {
    calls: Mutex<HashMap<String, u32>>,
    in_flight: AtomicUsize,
    most_at_once: AtomicUsize,
}

async fn count(State(counter): State<Arc<Counter>>, uri: Uri) -> &'static str {
    let now = counter.in_flight.fetch_add(1, Ordering::SeqCst) + 1;
    counter.most_at_once.fetch_max(now, Ordering::SeqCst);
    // Slow enough that every instance's worker has requests in flight together.
    tokio::time::sleep(Duration::from_millis(10)).await;
    let tx = form_urlencoded::parse(uri.query().unwrap_or("").as_bytes())
        .find(|(name, _)| name == "tx")
        .map(|(_, value)| value.into_owned())
        .unwrap_or_default();
    *counter.calls.lock().expect("lock").entry(tx).or_default() += 1;
    counter.in_flight.fetch_sub(1, Ordering::SeqCst);
    "OK"
}

impl Counter {
    async fn start() -> (Arc<Self>, String) {
        let counter = Arc::new(Self::default());
        let router = axum::Router::new().fallback(count).with_state(counter.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind receiver");
        let url = format!("http://{}/pb?tx={{tx_id}}&status={{status}}", listener.local_addr().expect("address"));
        tokio::spawn(async move { axum::serve(listener, router).await });
        (counter, url)
    }

    fn distinct(&self) -> usize {
        self.calls.lock().expect("lock").len()
    }
}

/// Each instance sends at most two requests at a time to one publisher.
fn two_at_a_time(settings: &mut app::server::settings::Settings) {
    allow_private(settings);
    settings.deliveries.per_publisher = 2;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_thousand_deliveries_with_three_instances_workers_are_each_sent_exactly_once() {
    let Some(a) = first_instance(two_at_a_time).await else { return };
    let b = a.another_instance(two_at_a_time).await;
    let c = a.another_instance(two_at_a_time).await;
    let cpa = a.setup_cpa().await;
    let (counter, url) = Counter::start().await;
    a.set_postback(SEED_PUBLISHER, json!({ "url_template": url, "signature": "hmac-sha256" })).await;

    // A thousand credited conversions, arriving through all three instances.
    let instances = [&a, &b, &c];
    let answers: Vec<u16> = futures::stream::iter(0..1000)
        .map(|i| {
            let instance = instances[i % 3];
            let query = format!("external_identifier={SEED_PUBLISHER}&amount=100&status=1&lead_id=scale-{i}");
            let key = cpa.key.clone();
            async move { instance.cpa(&key, &query).await.status().as_u16() }
        })
        .buffer_unordered(24)
        .collect()
        .await;
    assert!(answers.iter().all(|status| *status == 200));

    time_until(Duration::from_secs(120), "all 1000 deliveries sent", || async { counter.distinct() == 1000 }).await;
    time_until(Duration::from_secs(10), "all 1000 deliveries settled", || async {
        let (delivered,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE state = 'delivered'").fetch_one(a.db.pool()).await.expect("count");
        delivered == 1000
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;

    let calls = counter.calls.lock().expect("lock").clone();
    let twice: BTreeMap<&String, &u32> = calls.iter().filter(|(_, n)| **n != 1).collect();
    assert!(twice.is_empty(), "sent more than once: {twice:?}");
    assert_eq!(calls.len(), 1000);
    let attempts: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM delivery_attempts").fetch_one(a.db.pool()).await.expect("attempts");
    assert_eq!(attempts.0, 1000, "one attempt logged per delivery");
    // More requests were in flight together than one instance ever sends to one publisher: the
    // instances' workers really did compete for the queue.
    let most = counter.most_at_once.load(Ordering::SeqCst);
    eprintln!("at most {most} requests in flight at once");
    assert!(most > 2, "only one instance's worker sent ({most} at once)");
}
