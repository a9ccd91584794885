//! Fair deliveries (issue 14, item 6): a publisher whose server hangs, fails or asks for time
//! costs the other publishers nothing. Each publisher has a bounded number of requests in flight,
//! a failing host is left alone and probed once per cool-down, `Retry-After` is honoured, and a
//! publisher may choose exponential backoff. The timing assertions bound what must not happen
//! too soon (gaps measured by the receiver), so a slow machine cannot make them fail.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::{HangingReceiver, Receiver};

/// A network allowed to post from 127.0.0.1 and two publishers, A and B; returns (key, A, B).
async fn two_publishers(app: &TestApp) -> (String, String, String) {
    let (network, key) = app.create_network("Fair Network").await;
    let approved = app.post_json(&format!("/api/admin/networks/{network}/ips"), json!({ "ip": "127.0.0.1" })).await;
    assert_eq!(approved.status(), 201);
    (key, app.create_publisher("Publisher A").await, app.create_publisher("Publisher B").await)
}

/// A CPA postback crediting `publisher`, without an end-user IP (so the repeated-IP rule holds
/// none of them).
fn credit(publisher: &str, lead: &str) -> String {
    format!("external_identifier={publisher}&amount=100&offer_name=Fair&country_code=US&status=1&lead_id={lead}")
}

/// Sends `count` credits for `publisher`, 16 at a time.
async fn credit_many(app: &TestApp, key: &str, publisher: &str, count: usize) {
    let mut tasks = tokio::task::JoinSet::new();
    for lane in 0..16 {
        let client = app.client.clone();
        let base = app.url("/api/postback/cpa");
        let (key, publisher) = (key.to_owned(), publisher.to_owned());
        tasks.spawn(async move {
            for n in (lane..count).step_by(16) {
                let url = format!("{base}?key={key}&{}", credit(&publisher, &format!("bulk{n}")));
                let response = client.get(url).send().await.expect("postback");
                assert_eq!(response.status(), 200);
            }
        });
    }
    while let Some(done) = tasks.join_next().await {
        done.expect("lane");
    }
}

async fn queued(app: &TestApp, publisher: &str) -> i64 {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM deliveries WHERE publisher_id = $1")
        .bind(publisher)
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    count
}

/// How long a test waits for something that should happen (generous: the machine may be busy).
struct Patience(Instant);

impl Patience {
    fn new() -> Self {
        Self(Instant::now() + Duration::from_secs(60))
    }

    /// Sleeps a little before looking again; panics once patience is out.
    async fn wait(&self, what: &str) {
        assert!(Instant::now() < self.0, "gave up waiting: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// The publisher's deliveries once `count` of them are in `status`.
async fn deliveries_in(app: &TestApp, publisher: &str, status: &str, count: usize) -> Vec<Value> {
    let patience = Patience::new();
    loop {
        let items = app.deliveries(&format!("publisher={publisher}&limit=1000")).await;
        if items.iter().filter(|d| d["status"] == status).count() >= count {
            return items;
        }
        patience.wait(&format!("{count} deliveries {status}")).await;
    }
}

async fn hanging_requests(hanging: &HangingReceiver, count: usize) {
    let patience = Patience::new();
    while hanging.accepted() < count {
        patience.wait("requests hanging").await;
    }
}

/// `PUT /api/admin/publishers/{publisher}/postback` (changing settings answers no secret).
async fn put_postback(app: &TestApp, publisher: &str, settings: Value) -> reqwest::Response {
    let url = app.url(&format!("/api/admin/publishers/{publisher}/postback"));
    app.client.put(url).bearer_auth(&app.token).json(&settings).send().await.expect("PUT")
}

/// Credits publisher B once and checks its postback reached B's receiver within 2 s, however
/// busy publisher A is.
async fn b_is_sent_within_2_s(app: &TestApp, key: &str, b: &str, receiver: &Receiver) {
    let started = Instant::now();
    assert_eq!(app.cpa(key, &credit(b, "b1")).await.status(), 200);
    let request = receiver.wait_for(1).await.remove(0);
    let waited = gap(started, request.at);
    assert!(waited < Duration::from_secs(2), "B's postback took {waited:?} while A was busy");
}

fn gap(earlier: Instant, later: Instant) -> Duration {
    later.saturating_duration_since(earlier)
}

fn fair(per_publisher: usize) -> impl FnOnce(&mut app::server::settings::Settings) {
    move |s| {
        s.deliveries.allow_private_targets = true;
        s.deliveries.per_publisher = per_publisher;
    }
}

on_both_backends!(a_hanging_receiver_with_1000_deliveries_does_not_delay_another_publisher, settings(fair(4)), |app| {
    let (key, a, b) = two_publishers(&app).await;
    let hanging = HangingReceiver::start().await;
    let receiver = Receiver::start(200, "OK").await;
    app.set_postback(&a, json!({ "url_template": hanging.url("/cb?tx={tx_id}") })).await;
    app.set_postback(&b, json!({ "url_template": receiver.url("/cb?tx={tx_id}") })).await;

    credit_many(&app, &key, &a, 1000).await;
    assert_eq!(queued(&app, &a).await, 1000);
    hanging_requests(&hanging, 4).await;

    b_is_sent_within_2_s(&app, &key, &b, &receiver).await;
    deliveries_in(&app, &b, "delivered", 1).await;

    // A holds no more than its share of the slots, and the rest of its queue waits its turn.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(hanging.accepted(), 4, "at most TAPRAIN_DELIVERIES_PER_PUBLISHER requests in flight to A");
    let sending: Vec<Value> = app.deliveries(&format!("publisher={a}&status=sending")).await;
    assert_eq!(sending.len(), 4);
});

on_both_backends!(resending_every_failed_delivery_does_not_starve_another_publisher, settings(fair(4)), |app| {
    let (key, a, b) = two_publishers(&app).await;
    // Answers, but not "OK": failed without troubling A's host breaker.
    let refusing = Receiver::start(200, "nope").await;
    let receiver = Receiver::start(200, "OK").await;
    app.set_postback(&a, json!({ "url_template": refusing.url("/cb?tx={tx_id}"), "max_retries": 0 })).await;
    app.set_postback(&b, json!({ "url_template": receiver.url("/cb?tx={tx_id}") })).await;
    credit_many(&app, &key, &a, 300).await;
    deliveries_in(&app, &a, "failed", 300).await;

    // A's server now hangs; "resend all failed" queues all 300 again, due before B's.
    let hanging = HangingReceiver::start().await;
    let moved = json!({ "url_template": hanging.url("/cb?tx={tx_id}"), "max_retries": 0 });
    assert_eq!(put_postback(&app, &a, moved).await.status(), 200);
    let resent: Value = app.post_json("/api/admin/deliveries/resend-failed", json!({})).await.json().await.expect("json");
    assert_eq!(resent["resent"], 300);
    hanging_requests(&hanging, 4).await;

    b_is_sent_within_2_s(&app, &key, &b, &receiver).await;
});

fn breaker(s: &mut app::server::settings::Settings) {
    fair(1)(s);
    s.deliveries.breaker_failures = 3;
    s.deliveries.breaker_cool_down_seconds = 2;
}

on_both_backends!(a_failing_host_is_left_alone_then_probed_until_it_recovers, settings(breaker), |app| {
    let (key, a, _) = two_publishers(&app).await;
    let receiver = Receiver::start(200, "OK").await;
    // Down for four answers: three failures open the breaker, the first probe fails too.
    receiver.script(&[(503, "down"), (503, "down"), (503, "down"), (503, "down")]);
    app.set_postback(&a, json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "retry_interval_seconds": 1, "max_retries": 10 })).await;
    for n in 0..6 {
        assert_eq!(app.cpa(&key, &credit(&a, &format!("l{n}"))).await.status(), 200);
    }
    let deliveries = deliveries_in(&app, &a, "delivered", 6).await;
    let requests = receiver.requests();

    // Open after the third failure: nothing for a cool-down, then one probe (which fails and
    // reopens it), then nothing for another cool-down, then the probe that closes it.
    assert!(gap(requests[2].at, requests[3].at) >= Duration::from_millis(1900), "{:?}", gap(requests[2].at, requests[3].at));
    assert!(gap(requests[3].at, requests[4].at) >= Duration::from_millis(1900), "{:?}", gap(requests[3].at, requests[4].at));
    // Closed again: the rest go without waiting for retries or cool-downs.
    assert_eq!(requests.len(), 10, "four failures and six deliveries");
    assert!(gap(requests[4].at, requests[9].at) < Duration::from_secs(30));
    // Held-back deliveries were put off, not failed: no attempt without a request.
    let attempts: i64 = deliveries.iter().map(|d| d["attempts"].as_i64().expect("attempts")).sum();
    assert_eq!(attempts, requests.len() as i64);
});

on_both_backends!(retry_after_is_honoured_by_the_delivery_and_its_host, settings(fair(1)), |app| {
    let (key, a, _) = two_publishers(&app).await;
    let receiver = Receiver::start(200, "OK").await;
    receiver.script(&[(429, "RETRY-AFTER 3")]);
    app.set_postback(&a, json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "retry_interval_seconds": 1 })).await;
    assert_eq!(app.cpa(&key, &credit(&a, "first")).await.status(), 200);
    let first = receiver.wait_for(1).await.remove(0);
    assert_eq!(app.cpa(&key, &credit(&a, "second")).await.status(), 200);
    let deliveries = deliveries_in(&app, &a, "delivered", 2).await;
    let requests = receiver.requests();
    assert_eq!(requests.len(), 3);
    // The host asked for 3 s: neither the retry (1 s by the publisher's schedule) nor the other
    // delivery to the same host went sooner.
    for later in &requests[1..] {
        assert!(gap(first.at, later.at) >= Duration::from_millis(2900), "{:?}", gap(first.at, later.at));
    }
    let mut attempts: Vec<i64> = deliveries.iter().map(|d| d["attempts"].as_i64().expect("attempts")).collect();
    attempts.sort();
    assert_eq!(attempts, [1, 2]);
});

on_both_backends!(exponential_backoff_doubles_each_wait, settings(fair(4)), |app| {
    let (key, a, _) = two_publishers(&app).await;
    let receiver = Receiver::start(500, "down").await;
    let bad = put_postback(&app, &a, json!({ "url_template": receiver.url("/cb"), "retry_backoff": "linear" })).await;
    assert!(expect_error(bad, 422).await.contains("retry_backoff"));
    let settings = json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "retry_interval_seconds": 1, "max_retries": 3, "retry_backoff": "exponential" });
    app.set_postback(&a, settings).await;
    let shown: Value = app.get(&format!("/api/admin/publishers/{a}/postback")).await.json().await.expect("json");
    assert_eq!(shown["retry_backoff"], "exponential");

    assert_eq!(app.cpa(&key, &credit(&a, "l1")).await.status(), 200);
    let requests = receiver.wait_for(3).await;
    // 1 s, then 2 s: each at most a fifth shorter.
    assert!(gap(requests[0].at, requests[1].at) >= Duration::from_millis(750), "{:?}", gap(requests[0].at, requests[1].at));
    assert!(gap(requests[1].at, requests[2].at) >= Duration::from_millis(1550), "{:?}", gap(requests[1].at, requests[2].at));
    // After the third failure the next wait is 4 s less up to a fifth (fixed would be 1 s).
    let patience = Patience::new();
    while app.deliveries(&format!("publisher={a}")).await[0]["attempts"] != 3 {
        patience.wait("the third attempt is stored").await;
    }
    let (next, updated): (i64, i64) = sqlx::query_as("SELECT next_attempt_at, updated_at FROM deliveries WHERE publisher_id = $1")
        .bind(&a)
        .fetch_one(app.db.pool())
        .await
        .expect("schedule");
    assert!((3200..=4000).contains(&(next - updated)), "waits {} ms", next - updated);
});
