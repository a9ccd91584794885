//! The delivery worker: claims due deliveries publisher by publisher within each one's fair
//! share ([`super::fair`]), sends them concurrently (no transaction is held while a request is in
//! flight) past a circuit breaker per target host ([`super::breaker`]), and stores the attempts in
//! batches. Woken when the writer commits, when a request ends, and every second for retries
//! that fall due and claims that expired.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, Notify, Semaphore};

use super::breaker::{HostBreakers, Verdict};
use super::fair::Shares;
use super::queue::{self, AttemptResult, Claimed, Settled};
use super::sender::{Answer, Sender};
use super::wake::DeliveryWake;
use super::writes::{claim_limit, Claim, ClaimRequest, Finish};
use crate::domain::delivery::{macro_values, sign, usd, OutboundRequest};
use crate::domain::offerwall::reward_for;
use crate::domain::postback_template::PostbackTemplate;
use crate::domain::retry::{failures_so_far, retry_delay_seconds, RetryBackoff};
use crate::domain::signature::SignatureScheme;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::ingest::writer::Writer;
use crate::server::metrics::ServerMetrics;
use crate::server::secrets;
use crate::server::settings::DeliverySettings;

/// Requests in flight at most, all publishers together.
pub const CONCURRENCY: usize = 256;
/// Most attempts stored in one write.
const MAX_FINISH_BATCH: usize = 512;
/// The longest a receiver's `Retry-After` holds back its whole host (the delivery that got it
/// waits the full time).
const MAX_HOST_HOLD: Duration = Duration::from_secs(3600);
/// How much longer a claim's lease lasts than a request can: a request starts only while at
/// least its whole timeout is left of the lease, so it always ends before another worker (maybe
/// on another instance) may take the delivery back.
const LEASE_MARGIN: Duration = Duration::from_secs(30);
/// How long a wake from the writer is let gather more commits before the worker reads what is
/// due: every credited postback wakes it, and most queue nothing (their publisher takes no
/// postbacks), so reading at once would cost a query per commit.
const WAKE_GATHER: Duration = Duration::from_millis(10);

/// How the worker shares and guards its slots.
#[derive(Debug, Clone, Copy)]
pub struct WorkerConfig {
    /// The sender's timeout: a claim's lease outlives it.
    pub timeout: Duration,
    pub per_publisher: usize,
    pub breaker_failures: u32,
    pub breaker_cool_down: Duration,
}

impl WorkerConfig {
    pub fn from_settings(settings: &DeliverySettings) -> Self {
        Self {
            timeout: Duration::from_secs(settings.timeout_seconds),
            per_publisher: settings.per_publisher.clamp(1, CONCURRENCY),
            breaker_failures: settings.breaker_failures,
            breaker_cool_down: Duration::from_secs(settings.breaker_cool_down_seconds),
        }
    }
}

/// Starts the worker, woken by `wake`. Claims and attempts are written by the single writer,
/// so SQLite keeps one writer and postbacks never fail on a lock.
pub fn spawn(db: Db, writer: Writer, sender: Sender, config: WorkerConfig, wake: DeliveryWake, metrics: Arc<ServerMetrics>) {
    let (results, finished) = mpsc::channel(CONCURRENCY * 4);
    tokio::spawn(store_results(writer.clone(), finished));
    let worker = Worker {
        db,
        writer,
        sender,
        results,
        slots: Arc::new(Semaphore::new(CONCURRENCY)),
        shares: Arc::new(Mutex::new(Shares::new(config.per_publisher))),
        breakers: Arc::new(HostBreakers::new(config.breaker_failures, config.breaker_cool_down)),
        ended: Arc::new(Notify::new()),
        metrics,
        // A claim outlives the longest request, so only a crashed worker's claims expire.
        lease_ms: (config.timeout.as_millis() as i64).saturating_add(LEASE_MARGIN.as_millis() as i64),
        timeout: config.timeout,
    };
    tokio::spawn(worker.claim_loop(wake));
}

struct Worker {
    db: Db,
    writer: Writer,
    sender: Sender,
    results: mpsc::Sender<Settled>,
    slots: Arc<Semaphore>,
    shares: Arc<Mutex<Shares>>,
    breakers: Arc<HostBreakers>,
    /// Notified whenever a request ends, so its publisher's next delivery goes at once.
    ended: Arc<Notify>,
    /// Counts attempts by outcome.
    metrics: Arc<ServerMetrics>,
    lease_ms: i64,
    /// The sender's timeout.
    timeout: Duration,
}

/// What is due, read outside the writer so an idle queue costs the writer nothing.
struct Due {
    publishers: Vec<String>,
    expired: bool,
}

impl Worker {
    async fn due(&self) -> Due {
        let read = async {
            let mut conn = self.db.pool().acquire().await?;
            let publishers = queue::due_publishers(&mut conn).await?;
            let expired = queue::any_expired(&mut conn, self.db.backend()).await?;
            Ok::<_, sqlx::Error>(Due { publishers, expired })
        };
        read.await.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "reading due deliveries failed");
            Due { publishers: Vec::new(), expired: false }
        })
    }

    fn lock_shares(&self) -> std::sync::MutexGuard<'_, Shares> {
        self.shares.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Claims (through the writer) and loads (through the query layer) the deliveries planned.
    async fn claim(&self, request: ClaimRequest) -> Vec<Claimed> {
        let claim_token = request.claim_token.clone();
        let ids = match self.writer.submit::<Claim>(request).await {
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
        let loaded = match self.db.pool().acquire().await {
            Ok(mut conn) => queue::load(&mut conn, &ids, &claim_token).await,
            Err(err) => Err(err),
        };
        loaded.unwrap_or_else(|err| {
            tracing::warn!(error = %err, "loading claimed deliveries failed");
            Vec::new()
        })
    }

    /// Waits until something may have changed: a commit queued a delivery, a request ended, or
    /// a second passed (retries fall due, breakers cool down).
    async fn idle(&self, wake: &DeliveryWake) {
        tokio::select! {
            _ = wake.woken() => tokio::time::sleep(WAKE_GATHER).await,
            _ = self.ended.notified() => {}
            _ = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    }

    async fn claim_loop(self, wake: DeliveryWake) {
        loop {
            let free = self.slots.available_permits();
            if free == 0 {
                self.idle(&wake).await;
                continue;
            }
            let due = self.due().await;
            let free = free.min(claim_limit(free, self.writer.queued()) as usize);
            let publishers = self.lock_shares().plan(&due.publishers, free, &self.breakers, Instant::now());
            if publishers.is_empty() && !due.expired {
                self.idle(&wake).await;
                continue;
            }
            let request = ClaimRequest { publishers, lease_ms: self.lease_ms, claim_token: secrets::new_id("clm"), reclaim: due.expired };
            // Measured before the claim, so the deadline errs early.
            let claimed_at = Instant::now();
            let send_by = claimed_at + Duration::from_millis(self.lease_ms.unsigned_abs()).saturating_sub(self.timeout);
            let claimed = self.claim(request).await;
            if claimed.is_empty() {
                if !due.expired {
                    self.idle(&wake).await;
                }
                continue;
            }
            for job in claimed {
                self.lock_shares().started(&job.publisher_id);
                let Ok(permit) = self.slots.clone().acquire_owned().await else { return };
                let sender = self.sender.clone();
                let results = self.results.clone();
                let shares = self.shares.clone();
                let breakers = self.breakers.clone();
                let ended = self.ended.clone();
                let metrics = self.metrics.clone();
                tokio::spawn(async move {
                    let publisher = job.publisher_id.clone();
                    let (settled, host) = deliver(&sender, &breakers, job, send_by).await;
                    metrics.delivery_attempt(match &settled {
                        Settled::Attempted(attempt) => attempt.outcome.as_str(),
                        Settled::PutOff { .. } => "put_off",
                    });
                    let _ = results.send(settled).await;
                    shares.lock().unwrap_or_else(|p| p.into_inner()).finished(&publisher, host);
                    drop(permit);
                    ended.notify_one();
                });
            }
        }
    }
}

async fn store_results(writer: Writer, mut finished: mpsc::Receiver<Settled>) {
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

/// The scheme and authority a request goes to (`https://pub.example:443`): what a breaker guards.
pub fn target_host(url: &str) -> Option<String> {
    let url = reqwest::Url::parse(url).ok()?;
    Some(format!("{}://{}:{}", url.scheme(), url.host_str()?, url.port_or_known_default()?))
}

/// Sends one claimed delivery unless its host's breaker holds it back or its claim is too old to
/// send before `send_by` (then it is put off, not failed), tells the breaker how the host
/// answered, and works out when a failure is retried. Returns what to store and the host the
/// request went to.
async fn deliver(sender: &Sender, breakers: &HostBreakers, job: Claimed, send_by: Instant) -> (Settled, Option<String>) {
    let request = request_for(&job);
    let host = request.as_ref().ok().and_then(|r| target_host(&r.url));
    if Instant::now() >= send_by {
        return (Settled::PutOff { delivery_id: job.id, claim_token: job.claim_token, until_ms: now_ms() }, host);
    }
    if let Some(host) = &host {
        if let Verdict::Wait(wait) = breakers.check(host, Instant::now()) {
            let until_ms = now_ms().saturating_add(wait.as_millis() as i64);
            return (Settled::PutOff { delivery_id: job.id, claim_token: job.claim_token, until_ms }, Some(host.clone()));
        }
    }
    let attempted_at = now_ms();
    let (url, answer) = match request {
        Ok(request) => (request.url.clone(), sender.send(&request).await),
        Err(error) => (String::new(), Answer::not_sent(error)),
    };
    if let (Some(host), true) = (&host, answer.sent) {
        let now = Instant::now();
        breakers.record(host, !answer.host_in_trouble(), now);
        if let Some(seconds) = answer.retry_after.filter(|s| *s > 0) {
            breakers.hold(host, Duration::from_secs(seconds.unsigned_abs()).min(MAX_HOST_HOLD), now);
        }
    }
    let (backoff, interval, max_retries) = job
        .target
        .as_ref()
        .map_or((RetryBackoff::Fixed, 3600, job.retries_left), |t| (t.retry_backoff, t.retry_interval_seconds, t.max_retries));
    let failures = failures_so_far(max_retries, job.retries_left);
    let result = AttemptResult {
        delivery_id: job.id,
        claim_token: job.claim_token,
        retries_left: job.retries_left,
        retry_delay_seconds: retry_delay_seconds(backoff, interval, failures, rand::random::<f64>(), answer.retry_after),
        attempted_at,
        url,
        status_code: answer.status_code,
        latency_ms: answer.latency_ms,
        body: answer.body,
        error: answer.error,
        outcome: answer.outcome,
    };
    (Settled::Attempted(result), host)
}
