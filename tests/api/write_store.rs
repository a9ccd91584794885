//! The write-store suite: the single writer driven directly (no HTTP) on each backend's native
//! store — rusqlite on SQLite, native sqlx on PostgreSQL — with the guarantees every source
//! relies on.

use app::domain::catalog::ConversionState;
use app::domain::cpa::CpaPostback;
use app::domain::quality::Thresholds;
use app::server::deliveries::DeliveryWake;
use app::server::ingest::cpa::change::Recorded;
use app::server::ingest::cpa::record::{AcceptedCpa, Cpa};
use app::server::ingest::log::NewLogEntry;
use app::server::ingest::writer::{Env, Writer};
use app::server::ingest::{self, EventBus};
use app::server::ledger;

use crate::helpers::*;
use crate::on_both_backends;

async fn writer(app: &TestApp) -> Writer {
    let env = Env {
        thresholds: Thresholds::default(),
        events: EventBus::new(),
        deliveries: DeliveryWake::default(),
        metrics: Default::default(),
    };
    ingest::start::writer(&app.db, &app.database_url, env).await.expect("writer")
}

fn postback(network_id: &str, publisher: &str, lead: &str, status: &str) -> AcceptedCpa {
    let params: Vec<(String, String)> = [("external_identifier", publisher), ("amount", "350"), ("status", status), ("lead_id", lead)]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
    AcceptedCpa {
        network_id: network_id.to_owned(),
        postback: CpaPostback::parse(&params).expect("postback"),
        log: NewLogEntry::new("cpa", "127.0.0.1".into()),
    }
}

async fn verify_clean(app: &TestApp) {
    let (_, mismatches) = ledger::verify(&mut app.db.pool().acquire().await.expect("conn")).await.expect("verify");
    assert!(mismatches.is_empty(), "ledger verify: {mismatches:?}");
}

on_both_backends!(duplicates_under_64_way_concurrency_credit_once, |app| {
    let setup = app.setup_cpa().await;
    let writer = writer(&app).await;
    let tasks: Vec<_> = (0..64)
        .map(|_| {
            let (writer, item) = (writer.clone(), postback(&setup.network_id, SEED_PUBLISHER, "same-lead", "1"));
            tokio::spawn(async move { writer.submit::<Cpa>(item).await.expect("committed") })
        })
        .collect();
    let mut created = 0;
    for task in tasks {
        match task.await.expect("task") {
            Recorded::Created(c) => {
                assert_eq!(c.state, ConversionState::Credited);
                created += 1;
            }
            Recorded::Duplicate(Some(_)) => {}
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(created, 1, "exactly one credit");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    verify_clean(&app).await;
});

on_both_backends!(a_reversal_before_its_credit_settles_to_zero, |app| {
    let setup = app.setup_cpa().await;
    let writer = writer(&app).await;
    let first = writer.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, "early", "2")).await.expect("reversal");
    assert!(matches!(&first, Recorded::Created(c) if c.state == ConversionState::ReversalPending), "{first:?}");
    let second = writer.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, "early", "1")).await.expect("credit");
    assert!(matches!(&second, Recorded::Updated(c) if c.state == ConversionState::Reversed), "{second:?}");
    let again = writer.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, "early", "1")).await.expect("repeat");
    assert!(matches!(again, Recorded::Duplicate(_)));
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    let entries: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM ledger_entries").fetch_one(app.db.pool()).await.expect("count");
    assert_eq!(entries.0, 2, "a credit and its compensation, nothing deleted");
    verify_clean(&app).await;
});

on_both_backends!(a_failing_item_fails_alone_in_its_batch, |app| {
    let setup = app.setup_cpa().await;
    let writer = writer(&app).await;
    // The unknown publisher breaks the conversions' foreign key: that item cannot be written.
    let mut tasks = Vec::new();
    for i in 0..40 {
        let publisher = if i == 17 { "ffffffffffffffffffffffff" } else { SEED_PUBLISHER };
        let (writer, item) = (writer.clone(), postback(&setup.network_id, publisher, &format!("lead-{i}"), "1"));
        tasks.push(tokio::spawn(async move { writer.submit::<Cpa>(item).await }));
    }
    let mut ok = 0;
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.expect("task") {
            Ok(Recorded::Created(_)) => ok += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(_) => assert_eq!(i, 17, "only the bad item fails"),
        }
    }
    assert_eq!(ok, 39);
    assert_eq!(app.balance(SEED_PUBLISHER).await, 39 * 350);
    verify_clean(&app).await;
});

on_both_backends!(a_restarted_writer_keeps_what_was_committed, |app| {
    let setup = app.setup_cpa().await;
    let first = writer(&app).await;
    for i in 0..10 {
        first.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, &format!("r-{i}"), "1")).await.expect("committed");
    }
    drop(first);
    let second = writer(&app).await;
    let repeat = second.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, "r-3", "1")).await.expect("repeat");
    assert!(matches!(repeat, Recorded::Duplicate(Some(_))), "the new writer sees the old one's rows");
    second.submit::<Cpa>(postback(&setup.network_id, SEED_PUBLISHER, "r-10", "1")).await.expect("committed");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 11 * 350);
    verify_clean(&app).await;
});
