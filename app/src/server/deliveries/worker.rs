//! The delivery worker: claims due deliveries, sends them concurrently (no transaction is held
//! while a request is in flight), and stores the attempts in batches. Woken when the writer
//! commits, and every second for retries that fall due and claims that expired.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{mpsc, Semaphore};

use super::queue::{self, AttemptResult, Claimed};
use super::sender::{Answer, Sender};
use super::wake::DeliveryWake;
use super::writes::{claim_limit, Claim, ClaimRequest, Finish};
use crate::domain::delivery::{macro_values, sign, usd, AttemptOutcome, OutboundRequest};
use crate::domain::offerwall::reward_for;
use crate::domain::postback_template::PostbackTemplate;
use crate::domain::signature::SignatureScheme;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::ingest::writer::Writer;

/// Requests in flight at most.
const CONCURRENCY: usize = 256;
/// Most attempts stored in one write.
const MAX_FINISH_BATCH: usize = 512;

/// Starts the worker, woken by `wake`. Claims and attempts are written by the single writer,
/// so SQLite keeps one writer and postbacks never fail on a lock.
pub fn spawn(db: Db, writer: Writer, sender: Sender, timeout: Duration, wake: DeliveryWake) {
    let (results, finished) = mpsc::channel(CONCURRENCY * 4);
    tokio::spawn(store_results(writer.clone(), finished));
    tokio::spawn(claim_loop(db, writer, sender, wake, results, timeout));
}

/// Whether anything is due, read outside the writer so an idle queue costs the writer nothing.
async fn anything_due(db: &Db) -> bool {
    match db.pool().acquire().await {
        Ok(mut conn) => queue::any_due(&mut conn).await.unwrap_or(true),
        Err(_) => true,
    }
}

/// Claims (through the writer) and loads (through the query layer) the next due deliveries.
async fn next_claims(db: &Db, writer: &Writer, free: usize, lease_ms: i64) -> Vec<Claimed> {
    let limit = claim_limit(free, writer.queued());
    let ids = match writer.submit::<Claim>(ClaimRequest { limit, lease_ms }).await {
        Ok(ids) => ids,
        Err(err) => {
            tracing::warn!(error = %err, "claiming deliveries failed");
            return Vec::new();
        }
    };
    if ids.is_empty() {
        return Vec::new();
    }
    // A claim that cannot be loaded now expires with its lease and is claimed again.
    let loaded = match db.pool().acquire().await {
        Ok(mut conn) => queue::load(&mut conn, &ids).await,
        Err(err) => Err(err),
    };
    loaded.unwrap_or_else(|err| {
        tracing::warn!(error = %err, "loading claimed deliveries failed");
        Vec::new()
    })
}

async fn claim_loop(db: Db, writer: Writer, sender: Sender, wake: DeliveryWake, results: mpsc::Sender<AttemptResult>, timeout: Duration) {
    let slots = Arc::new(Semaphore::new(CONCURRENCY));
    // A claim outlives the longest request, so only a crashed worker's claims expire.
    let lease_ms = (timeout.as_millis() as i64).saturating_add(30_000);
    loop {
        if !anything_due(&db).await {
            let _ = tokio::time::timeout(Duration::from_secs(1), wake.woken()).await;
            continue;
        }
        let claimed = next_claims(&db, &writer, slots.available_permits(), lease_ms).await;
        if claimed.is_empty() {
            let _ = tokio::time::timeout(Duration::from_secs(1), wake.woken()).await;
            continue;
        }
        for job in claimed {
            let Ok(permit) = slots.clone().acquire_owned().await else { return };
            let sender = sender.clone();
            let results = results.clone();
            tokio::spawn(async move {
                let result = attempt(&sender, job).await;
                let _ = results.send(result).await;
                drop(permit);
            });
        }
    }
}

async fn store_results(writer: Writer, mut finished: mpsc::Receiver<AttemptResult>) {
    let mut batch = Vec::with_capacity(MAX_FINISH_BATCH);
    while finished.recv_many(&mut batch, MAX_FINISH_BATCH).await > 0 {
        // A failed commit is retried: the claims stay held until then, so nothing is sent twice
        // while the database is briefly unavailable.
        let mut wait = Duration::from_millis(50);
        while let Err(err) = writer.submit::<Finish>(batch.clone()).await {
            tracing::warn!(error = %err, attempts = batch.len(), "storing delivery attempts failed; retrying");
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
        batch.clear();
    }
}

/// The request for a claimed delivery, or why there is none.
pub fn request_for(job: &Claimed) -> Result<OutboundRequest, String> {
    let target = job.target.as_ref().ok_or("the publisher has no postback URL")?;
    let template = PostbackTemplate::parse(&target.url_template).map_err(|e| e.to_string())?;
    let scheme = SignatureScheme::parse(&target.signature).unwrap_or(SignatureScheme::HmacSha256);
    let payout = job.conversion.amount_cents.abs();
    // `{reward}`: in the offerwall's currency when the conversion came through one, else USD.
    let reward = job.wall.as_ref().map_or_else(|| usd(payout), |wall| reward_for(payout, wall).to_string());
    let values = macro_values(&job.conversion, job.event, reward);
    Ok(sign(&template, scheme, &target.secret, &values, &job.id, now_ms() / 1000))
}

async fn attempt(sender: &Sender, job: Claimed) -> AttemptResult {
    let attempted_at = now_ms();
    let (url, answer) = match request_for(&job) {
        Ok(request) => (request.url.clone(), sender.send(&request).await),
        Err(error) => (
            String::new(),
            Answer { status_code: None, body: String::new(), latency_ms: 0, error: Some(error), outcome: AttemptOutcome::Failed },
        ),
    };
    AttemptResult {
        delivery_id: job.id,
        retries_left: job.retries_left,
        retry_interval_seconds: job.target.map(|t| t.retry_interval_seconds).unwrap_or(3600),
        attempted_at,
        url,
        status_code: answer.status_code,
        latency_ms: answer.latency_ms,
        body: answer.body,
        error: answer.error,
        outcome: answer.outcome,
    }
}
