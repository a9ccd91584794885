//! `taprain backup --to FILE` while postbacks keep arriving, and a restore from the copy.

use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use app::server::db::Db;
use serde_json::Value;
use sqlx::Connection;
use taprain::startup::Application;

use crate::helpers::*;

fn taprain(args: &[&str], database_url: &str) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_taprain"))
        .args(args)
        .env("DATABASE_URL", database_url)
        .env_remove("TAPRAIN_SITE_ROOT")
        .output()
        .expect("run taprain")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

async fn lead_ids_in(path: &std::path::Path) -> Vec<String> {
    sqlx::any::install_default_drivers();
    let mut conn = sqlx::AnyConnection::connect(&format!("sqlite://{}?mode=ro", path.display())).await.expect("open copy");
    let ids: Vec<(String,)> =
        sqlx::query_as("SELECT lead_id FROM conversions WHERE lead_id IS NOT NULL").fetch_all(&mut conn).await.expect("ids");
    ids.into_iter().map(|(id,)| id).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_backup_during_a_cpa_load_holds_every_acknowledged_postback_and_restores() {
    let app = try_spawn(Backend::Sqlite, |_| {}).await.expect("app");
    let cpa = app.setup_cpa().await;
    let app = Arc::new(app);
    let acknowledged: Arc<Mutex<Vec<(String, Instant)>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..4)
        .map(|worker| {
            let (app, key, acknowledged, stop) = (app.clone(), cpa.key.clone(), acknowledged.clone(), stop.clone());
            tokio::spawn(async move {
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let lead = format!("load-{worker}-{n}");
                    let query = format!("external_identifier={SEED_PUBLISHER}&amount=100&lead_id={lead}");
                    let response = app.cpa(&key, &query).await;
                    if response.status() == 200 {
                        acknowledged.lock().expect("lock").push((lead, Instant::now()));
                    }
                }
            })
        })
        .collect();
    while acknowledged.lock().expect("lock").len() < 100 {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    let dir = std::env::temp_dir().join(format!("taprain-backup-{}", uuid::Uuid::new_v4().simple()));
    let copy = dir.join("nested").join("copy.db");
    let started = Instant::now();
    let output = {
        let (url, copy) = (app.database_url.clone(), copy.clone());
        tokio::task::spawn_blocking(move || taprain(&["backup", "--to", copy.to_str().expect("utf-8")], &url)).await.expect("join")
    };
    let took = started.elapsed();
    // Postbacks keep arriving during the backup and for a moment after it.
    tokio::time::sleep(Duration::from_millis(200)).await;
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        worker.await.expect("worker");
    }
    assert!(output.status.success(), "backup failed:\n{}\n{}", text(&output.stdout), text(&output.stderr));
    let stdout = text(&output.stdout);
    assert!(stdout.contains("backup written") && stdout.contains("ledger ok in the copy"), "{stdout}");

    let acknowledged = acknowledged.lock().expect("lock").clone();
    let before: Vec<&String> = acknowledged.iter().filter(|(_, at)| *at < started).map(|(lead, _)| lead).collect();
    let in_copy = lead_ids_in(&copy).await;
    let missing: Vec<_> = before.iter().filter(|lead| !in_copy.contains(lead)).collect();
    assert!(missing.is_empty(), "{} postback(s) acknowledged before the backup are missing: {missing:?}", missing.len());
    assert!(in_copy.len() < acknowledged.len(), "the load went on after the copy was taken");
    eprintln!(
        "backup took {} ms; {} acknowledged before it, {} in the copy, {} acknowledged in all",
        took.as_millis(),
        before.len(),
        in_copy.len(),
        acknowledged.len()
    );

    // A second backup to the same name is refused; the first is untouched.
    let again = taprain(&["backup", "--to", copy.to_str().expect("utf-8")], &app.database_url);
    assert!(!again.status.success());
    assert!(text(&again.stderr).contains("already exists"), "{}", text(&again.stderr));

    // The copy passes `ledger verify` on its own.
    let restored_path = dir.join("restored.db");
    std::fs::copy(&copy, &restored_path).expect("restore: put the file in place");
    let restored_url = format!("sqlite://{}", restored_path.display());
    let verify = taprain(&["ledger", "verify"], &restored_url);
    assert!(verify.status.success(), "{}", text(&verify.stdout));

    // Restore: a server started on the copied file serves what the copy holds, the admin's
    // token included, and the publisher's balance matches its conversions.
    let application = Application::build(test_settings(restored_url.clone(), &dir)).await.expect("restored server");
    let address = application.address();
    tokio::spawn(application.run_until_stopped());
    let restored = |path: &str| app.client.get(format!("http://{address}{path}")).bearer_auth(&app.token).send();
    let publisher: Value =
        restored(&format!("/api/admin/publishers/{SEED_PUBLISHER}")).await.expect("publisher").json().await.expect("json");
    assert_eq!(publisher["balance_cents"].as_i64(), Some(100 * in_copy.len() as i64), "{publisher}");
    let db = Db::connect(&restored_url).await.expect("restored db");
    let (_, mismatches) = app::server::ledger::verify(&mut db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_backups_point_to_pg_dump() {
    let Some(app) = try_spawn(Backend::Postgres, |_| {}).await else {
        eprintln!("TAPRAIN_TEST_POSTGRES_URL not set: PostgreSQL variant skipped");
        return;
    };
    let target = std::env::temp_dir().join(format!("taprain-pg-backup-{}.db", uuid::Uuid::new_v4().simple()));
    let output = taprain(&["backup", "--to", target.to_str().expect("utf-8")], &app.database_url);
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("pg_dump"), "{}", text(&output.stderr));
    assert!(!target.exists());
}
