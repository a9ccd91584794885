//! Group commit: one task owns postback writes. It takes every job waiting in its queue, writes
//! them in one transaction (set-wise, see `batch`), commits once, and only then answers — so a
//! 200 always means committed (SQLite `synchronous=FULL`), at the cost of one fsync per batch
//! instead of one per postback. If anything in a batch fails, the batch is rolled back and its
//! jobs are written one transaction each, so a bad job fails alone.

use tokio::sync::{mpsc, oneshot};

use super::batch::{Batch, Planned};
use super::cpa_record::{self, Recorded};
use super::events::EventBus;
use super::log::{self, NewLogEntry};
use super::review::{self, ReviewAction, ReviewRefusal};
use crate::domain::catalog::Conversion;
use crate::domain::cpa::CpaPostback;
use crate::domain::quality::Thresholds;
use crate::server::audit::Actor;
use crate::server::db::Db;
use crate::server::db::{is_busy, Backend};
use crate::server::deliveries::queue::{self, AttemptResult, Claimed};
use crate::server::deliveries::DeliveryWake;
use crate::server::programs::record::{ProgramJob, ProgramRecorded};
use crate::server::reward::record::{RewardJob, RewardRecorded};

/// Most jobs committed together.
const MAX_BATCH: usize = 512;

/// Something to write.
#[derive(Debug)]
pub enum Job {
    /// An accepted CPA postback and its log entry.
    Cpa { network_id: String, postback: Box<CpaPostback>, log: NewLogEntry },
    /// A refused call: its log entry, and the refused source IP to remember for `network_id`.
    Refused { log: NewLogEntry, refused_ip: Option<(String, String)> },
    /// An admin's decision on a conversion.
    Review { conversion_id: String, action: ReviewAction, actor: Actor },
    /// A reward-game level postback (or a refused reward call).
    Reward(Box<RewardJob>),
    /// A conversions-API conversion or customer of a program.
    Program(Box<ProgramJob>),
    /// The delivery worker claims due outbound postbacks (through the writer, so SQLite keeps a
    /// single writer and postbacks never fail on a lock).
    ClaimDeliveries { limit: i64, lease_ms: i64 },
    /// The delivery worker stores attempts.
    FinishDeliveries(Vec<AttemptResult>),
}

/// What a committed job did.
#[derive(Debug)]
pub enum JobOutput {
    Recorded(Recorded),
    Reviewed(Result<Conversion, ReviewRefusal>),
    Reward(RewardRecorded),
    Program(ProgramRecorded),
    Claimed(Vec<Claimed>),
    Logged,
}

/// The job could not be committed; the caller answers 500 and the network retries.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the postback could not be stored")]
pub struct WriteFailed;

type Envelope = (Job, oneshot::Sender<Result<JobOutput, WriteFailed>>);

#[derive(Clone, Debug)]
pub struct PostbackWriter {
    sender: mpsc::Sender<Envelope>,
}

impl PostbackWriter {
    /// Starts the writer task.
    pub fn spawn(db: Db, thresholds: Thresholds, events: EventBus, deliveries: DeliveryWake) -> Self {
        let (sender, receiver) = mpsc::channel(16_384);
        tokio::spawn(run(db, thresholds, events, deliveries, receiver));
        Self { sender }
    }

    /// Queues `job` and waits until it is committed.
    pub async fn submit(&self, job: Job) -> Result<JobOutput, WriteFailed> {
        let (reply, answer) = oneshot::channel();
        self.sender.send((job, reply)).await.map_err(|_| WriteFailed)?;
        answer.await.map_err(|_| WriteFailed)?
    }
}

async fn run(db: Db, thresholds: Thresholds, events: EventBus, deliveries: DeliveryWake, mut receiver: mpsc::Receiver<Envelope>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        // Credits and reversals may queue outbound postbacks; the delivery worker's own jobs do not.
        let may_enqueue =
            batch.iter().any(|(job, _)| !matches!(job, Job::ClaimDeliveries { .. } | Job::FinishDeliveries(_) | Job::Refused { .. }));
        write_batch(&db, &thresholds, &events, std::mem::take(&mut batch)).await;
        if may_enqueue {
            deliveries.wake();
        }
    }
}

async fn write_batch(db: &Db, thresholds: &Thresholds, events: &EventBus, batch: Vec<Envelope>) {
    let (jobs, replies): (Vec<Job>, Vec<_>) = batch.into_iter().unzip();
    // Another connection writing (an admin action) can make SQLite refuse the batch's upgrade to
    // a write transaction; that is worth a short wait and another try, not a failed postback.
    let mut together = write_together(db, thresholds, &jobs).await;
    for attempt in 0..6 {
        match &together {
            Err(err) if is_busy(err) => {
                tokio::time::sleep(std::time::Duration::from_millis(2 << attempt)).await;
                together = write_together(db, thresholds, &jobs).await;
            }
            _ => break,
        }
    }
    let results = match together {
        Ok(outputs) => outputs.into_iter().map(Ok).collect(),
        Err(err) => {
            // Something in the batch failed: nothing of it was committed. Write each job in its
            // own transaction so one bad job cannot fail the others.
            tracing::warn!(error = %err, jobs = jobs.len(), "batch write failed; writing jobs one by one");
            write_one_by_one(db, thresholds, &jobs).await
        }
    };
    for (reply, result) in replies.into_iter().zip(results) {
        match &result {
            Ok(JobOutput::Recorded(Recorded::Created(c))) => events.publish("created", c.clone()),
            Ok(JobOutput::Recorded(Recorded::Updated(c)) | JobOutput::Reviewed(Ok(c))) => events.publish("updated", c.clone()),
            Ok(JobOutput::Program(ProgramRecorded::Created(_, c))) => events.publish("created", (**c).clone()),
            Ok(JobOutput::Reward(recorded)) => {
                if let Some(c) = recorded.created() {
                    events.publish("created", c.clone());
                }
            }
            _ => {}
        }
        let _ = reply.send(result);
    }
}

/// The fast path: one transaction, CPA postbacks and refused calls written set-wise.
async fn write_together(db: &Db, thresholds: &Thresholds, jobs: &[Job]) -> Result<Vec<JobOutput>, sqlx::Error> {
    let mut tx = db.pool().begin().await?;
    let planned: Vec<Planned<'_>> = jobs
        .iter()
        .filter_map(|job| match job {
            Job::Cpa { network_id, postback, .. } => Some(Planned { network_id, postback }),
            _ => None,
        })
        .collect();
    let mut batch = Batch::prefetch(&mut tx, &planned, thresholds).await?;
    let mut outputs = Vec::with_capacity(jobs.len());
    for job in jobs {
        let output = match job {
            Job::Cpa { network_id, postback, log } => JobOutput::Recorded(batch.cpa(&mut tx, network_id, postback, log).await?),
            Job::Refused { log, refused_ip } => {
                batch.refused(log, refused_ip.as_ref());
                JobOutput::Logged
            }
            other => {
                batch.flush(&mut tx).await?;
                apply(&mut tx, db.backend(), thresholds, other).await?
            }
        };
        outputs.push(output);
    }
    batch.flush(&mut tx).await?;
    tx.commit().await?;
    Ok(outputs)
}

/// The careful path: each job in its own transaction.
async fn write_one_by_one(db: &Db, thresholds: &Thresholds, jobs: &[Job]) -> Vec<Result<JobOutput, WriteFailed>> {
    let mut results = Vec::with_capacity(jobs.len());
    for job in jobs {
        let result = async {
            let mut tx = db.pool().begin().await?;
            let output = apply(&mut tx, db.backend(), thresholds, job).await?;
            tx.commit().await?;
            Ok::<_, sqlx::Error>(output)
        }
        .await;
        if let Err(err) = &result {
            tracing::error!(error = %err, "postback job failed");
        }
        results.push(result.map_err(|_| WriteFailed));
    }
    results
}

async fn apply(conn: &mut sqlx::AnyConnection, backend: Backend, thresholds: &Thresholds, job: &Job) -> Result<JobOutput, sqlx::Error> {
    match job {
        Job::Cpa { network_id, postback, log } => {
            let recorded = cpa_record::record(conn, network_id, postback, thresholds).await?;
            let mut log = log.clone();
            log.outcome = recorded.outcome();
            if let Recorded::Created(c) | Recorded::Updated(c) = &recorded {
                log.reason = c.reasons.join(",");
            }
            log::insert(conn, &log, recorded.conversion_id()).await?;
            Ok(JobOutput::Recorded(recorded))
        }
        Job::Refused { log, refused_ip } => {
            log::insert(conn, log, None).await?;
            if let Some((network_id, ip)) = refused_ip {
                log::remember_refused_ip(conn, network_id, ip).await?;
            }
            Ok(JobOutput::Logged)
        }
        Job::Review { conversion_id, action, actor } => Ok(JobOutput::Reviewed(review::apply(conn, conversion_id, *action, actor).await?)),
        Job::Reward(job) => Ok(JobOutput::Reward(crate::server::reward::record::apply(conn, job).await?)),
        Job::Program(job) => Ok(JobOutput::Program(crate::server::programs::record::apply(conn, job).await?)),
        Job::ClaimDeliveries { limit, lease_ms } => Ok(JobOutput::Claimed(queue::claim(conn, backend, *limit, *lease_ms).await?)),
        Job::FinishDeliveries(results) => {
            queue::finish(conn, results).await?;
            Ok(JobOutput::Logged)
        }
    }
}
