//! A restart in the middle of a retry schedule (and a `kill -9`): the delivery queue is in the
//! database, so the retry still happens after the server comes back; and a claim whose worker went
//! silent goes to another worker when its lease runs out.

use std::process::Stdio;
use std::time::Duration;

use app::server::db::Db;
use serde_json::{json, Value};

use crate::crash::{free_port, start_server_with, wait_until_up};
use crate::helpers::*;
use crate::on_both_backends;
use crate::receiver::Receiver;

const ENV: &[(&str, &str)] = &[("TAPRAIN_ALLOW_PRIVATE_POSTBACK_TARGETS", "true")];

async fn retry_survives_a_crash(database_url: String) {
    let db = Db::connect(&database_url).await.expect("db");
    db.migrate().await.expect("migrate");
    let admin = app::server::users::create(
        &db,
        &app::server::audit::Actor::cli(),
        &app::domain::Email::parse("restart@test.example").expect("email"),
        "a long admin password",
        app::domain::Role::Admin,
        None,
    )
    .await
    .expect("admin");
    let token = app::server::auth::tokens::create(&mut db.pool().acquire().await.expect("conn"), &admin.id).await.expect("token");
    let client = reqwest::Client::new();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let mut server = start_server_with(&database_url, port, "warn", Stdio::null(), ENV);
    wait_until_up(&client, &base).await;
    let call = |method: reqwest::Method, path: &str, body: Value| {
        client.request(method, format!("{base}{path}")).bearer_auth(&token).json(&body).send()
    };
    let network: Value =
        call(reqwest::Method::POST, "/api/admin/networks", json!({ "name": "restart" })).await.expect("net").json().await.expect("json");
    let (network_id, key) = (network["id"].as_str().expect("id"), network["key"].as_str().expect("key"));
    call(reqwest::Method::POST, &format!("/api/admin/networks/{network_id}/ips"), json!({ "ip": "127.0.0.1" })).await.expect("ip");
    call(reqwest::Method::POST, "/api/admin/publishers", json!({ "name": "restart", "id": SEED_PUBLISHER })).await.expect("pub");
    let receiver = Receiver::start(500, "down").await;
    let settings = json!({ "url_template": receiver.url("/cb?tx={tx_id}"), "retry_interval_seconds": 2 });
    let saved = call(reqwest::Method::PUT, &format!("/api/admin/publishers/{SEED_PUBLISHER}/postback"), settings).await.expect("put");
    assert_eq!(saved.status(), 200);
    let postback = client.get(format!("{base}/api/postback/cpa?key={key}&{SEED_QUERY}")).send().await.expect("postback");
    assert_eq!(postback.status(), 200);
    receiver.wait_for(1).await;
    // The failed attempt is stored (a crash before that leaves the claim to expire with its
    // lease, 90 s later, which is another story).
    for _ in 0..200 {
        let row: (String, i64) = sqlx::query_as("SELECT state, attempts FROM deliveries").fetch_one(db.pool()).await.expect("delivery");
        if row == ("pending".to_owned(), 1) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }

    // Crash while the retry is scheduled; the receiver recovers meanwhile.
    server.kill().expect("kill -9");
    let _ = server.wait();
    receiver.answer(200, "OK");
    let port = free_port();
    let mut restarted = start_server_with(&database_url, port, "warn", Stdio::null(), ENV);
    wait_until_up(&client, &format!("http://127.0.0.1:{port}")).await;
    let requests = receiver.wait_for(2).await;
    assert_eq!(requests[0].target, requests[1].target, "the same postback, retried");
    let mut state = String::new();
    for _ in 0..100 {
        let row: (String, i64) = sqlx::query_as("SELECT state, attempts FROM deliveries").fetch_one(db.pool()).await.expect("delivery");
        state = row.0;
        if state == "delivered" {
            assert_eq!(row.1, 2);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(state, "delivered");
    let _ = restarted.kill();
    let _ = restarted.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delivery_retry_survives_kill_9_sqlite() {
    let dir = std::env::temp_dir().join(format!("taprain-restart-{}", uuid::Uuid::new_v4().simple()));
    retry_survives_a_crash(format!("sqlite://{}/restart.db", dir.display())).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn delivery_retry_survives_kill_9_postgres() {
    let Some(server) = postgres_url() else {
        eprintln!("TAPRAIN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return;
    };
    retry_survives_a_crash(fresh_postgres_database(&server).await).await;
}

// A worker that claimed a delivery and then went silent (its instance froze or crashed) loses it
// when its lease runs out: another worker sends it once, and the silent worker's late answer is
// logged but settles nothing.
on_both_backends!(a_claim_whose_lease_ran_out_is_sent_by_another_worker_and_the_late_one_settles_nothing, settings(allow_private), |app| {
    use app::domain::delivery::AttemptOutcome;
    use app::server::clock::now_ms;
    use app::server::deliveries::queue::{AttemptResult, Settled};
    use app::server::deliveries::writes::Finish;

    let cpa = app.setup_cpa().await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    let conversion = app.conversions("").await[0]["id"].as_str().expect("id").to_owned();
    // The publisher's postback URL first: a worker that took the claim back before it was set
    // would find no URL and settle the delivery as failed.
    let receiver = Receiver::start(200, "OK").await;
    app.set_postback(SEED_PUBLISHER, json!({ "url_template": receiver.url("/cb?tx={tx_id}") })).await;
    // The frozen worker's claim: sending, its lease over a second ago.
    let now = now_ms();
    sqlx::query(
        "INSERT INTO deliveries (id, publisher_id, conversion_id, event, state, retries_left, next_attempt_at, lease_until, \
         claim_token, created_at, updated_at) VALUES ('dlv_frozen', $1, $2, 'credit', 'sending', 0, $3, $4, 'clm_frozen', $3, $3)",
    )
    .bind(SEED_PUBLISHER)
    .bind(&conversion)
    .bind(now)
    .bind(now - 1000)
    .execute(app.db.pool())
    .await
    .expect("frozen claim");

    // The running worker takes it back and sends it.
    receiver.wait_for(1).await;
    let settled = || async {
        sqlx::query_as::<_, (String, i64, Option<String>)>("SELECT state, attempts, claim_token FROM deliveries WHERE id = 'dlv_frozen'")
            .fetch_one(app.db.pool())
            .await
            .expect("delivery")
    };
    for _ in 0..100 {
        if settled().await.0 == "delivered" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(settled().await, ("delivered".to_owned(), 1, None));

    // The frozen worker wakes up and reports a failure under its old claim.
    let env = app::server::ingest::writer::Env {
        thresholds: Default::default(),
        events: app::server::ingest::EventBus::new(),
        deliveries: app::server::deliveries::DeliveryWake::default(),
        metrics: Default::default(),
    };
    let writer = app::server::ingest::start::writer(&app.db, &app.database_url, env).await.expect("writer");
    let late = AttemptResult {
        delivery_id: "dlv_frozen".into(),
        claim_token: "clm_frozen".into(),
        retries_left: 0,
        retry_delay_seconds: 60,
        attempted_at: now,
        url: "http://late.example/".into(),
        status_code: Some(500),
        latency_ms: 60_000,
        body: String::new(),
        error: Some("timed out".into()),
        outcome: AttemptOutcome::Failed,
    };
    writer.submit::<Finish>(vec![Settled::Attempted(late)]).await.expect("stored");
    assert_eq!(settled().await, ("delivered".to_owned(), 1, None), "the late answer settles nothing");
    let attempts: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM delivery_attempts WHERE delivery_id = 'dlv_frozen'")
        .fetch_one(app.db.pool())
        .await
        .expect("n");
    assert_eq!(attempts.0, 2, "both attempts are logged");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(receiver.requests().len(), 1, "sent once");
});
