//! `kill -9` under load: every postback answered 200 is in the ledger after a restart, none twice.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use app::server::db::Db;
use app::server::ledger;
use serde_json::{json, Value};

use crate::helpers::*;

pub(crate) fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

fn start_server(database_url: &str, port: u16) -> Child {
    start_server_logging(database_url, port, "warn", Stdio::null())
}

fn start_server_logging(database_url: &str, port: u16, level: &str, logs: Stdio) -> Child {
    start_server_with(database_url, port, level, logs, &[])
}

/// Starts the real binary on `port` with extra environment settings.
pub(crate) fn start_server_with(database_url: &str, port: u16, level: &str, logs: Stdio, env: &[(&str, &str)]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_taprain"))
        .arg("serve")
        .envs(env.iter().copied())
        .env("DATABASE_URL", database_url)
        .env("TAPRAIN_LISTEN", format!("127.0.0.1:{port}"))
        .env("TAPRAIN_SITE_ROOT", std::env::temp_dir())
        .env("RUST_LOG", level)
        .stdout(Stdio::null())
        .stderr(logs)
        .spawn()
        .expect("start taprain")
}

pub(crate) async fn wait_until_up(client: &reqwest::Client, base: &str) {
    for _ in 0..200 {
        if client.get(format!("{base}/healthz")).send().await.is_ok_and(|r| r.status() == 200) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("server did not come up");
}

async fn crash_and_recover(database_url: String) {
    let db = Db::connect(&database_url).await.expect("db");
    db.migrate().await.expect("migrate");
    let admin = app::server::users::create(
        &db,
        &app::server::audit::Actor::cli(),
        &app::domain::Email::parse("crash@test.example").expect("email"),
        "a long admin password",
        app::domain::Role::Admin,
        None,
    )
    .await
    .expect("admin");
    let token = app::server::auth::tokens::create(&mut db.pool().acquire().await.expect("conn"), &admin.id).await.expect("token");

    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let mut server = start_server(&database_url, port);
    wait_until_up(&client, &base).await;
    let network: Value = client
        .post(format!("{base}/api/admin/networks"))
        .bearer_auth(&token)
        .json(&json!({ "name": "crash" }))
        .send()
        .await
        .expect("net")
        .json()
        .await
        .expect("json");
    let (network_id, key) = (network["id"].as_str().expect("id").to_owned(), network["key"].as_str().expect("key").to_owned());
    client
        .post(format!("{base}/api/admin/networks/{network_id}/ips"))
        .bearer_auth(&token)
        .json(&json!({ "ip": "127.0.0.1" }))
        .send()
        .await
        .expect("ip");
    client
        .post(format!("{base}/api/admin/publishers"))
        .bearer_auth(&token)
        .json(&json!({ "name": "crash", "id": SEED_PUBLISHER }))
        .send()
        .await
        .expect("pub");

    let acknowledged = Arc::new(Mutex::new(Vec::<String>::new()));
    let mut workers = Vec::new();
    for worker in 0..16 {
        let (client, base, key, acknowledged) = (client.clone(), base.clone(), key.clone(), acknowledged.clone());
        workers.push(tokio::spawn(async move {
            for n in 0..10_000 {
                let lead = format!("w{worker}-{n}");
                let url = format!("{base}/api/postback/cpa?key={key}&external_identifier={SEED_PUBLISHER}&amount=7&lead_id={lead}");
                match client.get(url).send().await {
                    Ok(r) if r.status() == 200 => acknowledged.lock().expect("lock").push(lead),
                    Ok(_) => {}
                    Err(_) => return,
                }
            }
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("kill -9");
    let _ = server.wait();
    for worker in workers {
        let _ = worker.await;
    }
    let acknowledged = acknowledged.lock().expect("lock").clone();
    assert!(acknowledged.len() > 50, "the load ran before the crash ({} acknowledged)", acknowledged.len());

    // Restart on the same database: recovery, then the checks.
    let port = free_port();
    let mut restarted = start_server(&database_url, port);
    wait_until_up(&client, &format!("http://127.0.0.1:{port}")).await;
    let db = Db::connect(&database_url).await.expect("db");
    let stored: Vec<(String,)> = sqlx::query_as("SELECT lead_id FROM conversions").fetch_all(db.pool()).await.expect("rows");
    let stored: HashSet<String> = stored.into_iter().map(|r| r.0).collect();
    for lead in &acknowledged {
        assert!(stored.contains(lead), "{lead} got a 200 but is not stored");
    }
    let (entries, credited): (i64, i64) =
        sqlx::query_as("SELECT COUNT(*), COUNT(DISTINCT source_ref) FROM ledger_entries").fetch_one(db.pool()).await.expect("count");
    assert_eq!(entries, credited, "no posting twice");
    assert_eq!(entries as usize, stored.len(), "one credit per stored conversion");
    let (_, mismatches) = ledger::verify(&mut db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty(), "{mismatches:?}");
    let balance =
        ledger::balance(&mut db.pool().acquire().await.expect("conn"), &ledger::publisher_account(SEED_PUBLISHER)).await.expect("balance");
    assert_eq!(balance, 7 * stored.len() as i64);
    let _ = restarted.kill();
    let _ = restarted.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_load_loses_no_acknowledged_postback_sqlite() {
    let dir = std::env::temp_dir().join(format!("taprain-crash-{}", uuid::Uuid::new_v4().simple()));
    crash_and_recover(format!("sqlite://{}/crash.db", dir.display())).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_under_load_loses_no_acknowledged_postback_postgres() {
    let Some(server) = postgres_url() else {
        eprintln!("TAPRAIN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return;
    };
    crash_and_recover(fresh_postgres_database(&server).await).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keys_never_reach_the_server_logs() {
    let dir = std::env::temp_dir().join(format!("taprain-logs-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).expect("dir");
    let database_url = format!("sqlite://{}/logs.db", dir.display());
    let db = Db::connect(&database_url).await.expect("db");
    db.migrate().await.expect("migrate");
    let created = app::server::networks::create(&db, &app::server::audit::Actor::cli(), "logs").await.expect("network");
    let log_path = dir.join("server.log");
    let port = free_port();
    let mut server = start_server_logging(&database_url, port, "trace", Stdio::from(std::fs::File::create(&log_path).expect("log file")));
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    wait_until_up(&client, &base).await;
    for query in [format!("key={}&{SEED_QUERY}", created.key), format!("key={}&amount=oops", created.key)] {
        let response = client.get(format!("{base}/api/postback/cpa?{query}")).send().await.expect("postback");
        assert!(response.status().is_client_error(), "{}", response.status());
    }
    let _ = server.kill();
    let _ = server.wait();
    let logs = std::fs::read_to_string(&log_path).expect("logs");
    assert!(logs.contains("/api/postback/cpa"), "the requests were logged at trace level");
    assert!(!logs.contains(&created.key), "the key leaked into the logs");
    let _ = std::fs::remove_dir_all(dir);
}
