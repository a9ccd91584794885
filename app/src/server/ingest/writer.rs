//! The single writer. Every inbound write (each source's postbacks, refused calls' log entries,
//! clicks, admin decisions, the delivery worker's claims and attempts) is a queued item of some
//! [`Source`]. The writer takes everything waiting, groups it by source, lets each source write
//! its whole run set-wise inside ONE transaction, commits once, and only then answers — so a
//! reply always means committed (SQLite `synchronous=FULL`), at the cost of one fsync per batch.
//! If anything in a batch fails, it is rolled back and every item is written again in its own
//! transaction, so a bad item fails alone.
//!
//! The writer knows no source by name: a source is a type implementing [`Source`], and
//! [`Writer::submit`] takes its items. Adding one adds files, not match arms.

use std::any::{Any, TypeId};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use tokio::sync::{mpsc, oneshot};

use super::events::EventBus;
use super::store::{Store, StoreError, WriteTx};
use crate::domain::quality::Thresholds;
use crate::server::deliveries::wake::DeliveryWake;
use crate::server::metrics::ServerMetrics;

/// Most items committed together.
const MAX_BATCH: usize = 1024;
/// Items waiting at most before `submit` waits for room.
const QUEUE: usize = 16_384;

/// What every source's write may use besides its transaction.
#[derive(Debug, Clone)]
pub struct Env {
    pub thresholds: Thresholds,
    pub events: EventBus,
    pub deliveries: DeliveryWake,
    /// Counts committed log entries and batches for `/metrics`.
    pub metrics: Arc<ServerMetrics>,
}

/// One kind of write.
#[async_trait]
pub trait Source: Send + Sync + 'static {
    /// One queued write.
    type Item: Send + Sync + 'static;
    /// What the caller gets once it is committed.
    type Output: Send + 'static;

    /// Writes `items` (in arrival order) inside `tx`, one output per item. An error fails the
    /// whole batch; the writer then writes each item alone.
    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[Self::Item]) -> Result<Vec<Self::Output>, StoreError>;

    /// After the commit, once per output: publish events, wake the delivery worker.
    fn committed(_env: &Env, _output: &Self::Output) {}
}

/// The item could not be committed; the caller answers 500 and the sender retries.
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the write could not be stored")]
pub struct WriteFailed;

/// The handle every door and service submits through.
#[derive(Clone, Debug)]
pub struct Writer {
    sender: mpsc::Sender<Box<dyn Queued>>,
}

impl Writer {
    /// A writer whose loop runs on its own OS thread with its own small runtime, on the store
    /// `open` makes there. The store's I/O is then driven by that thread alone: a SQLite
    /// connection's blocking calls never stall the server's workers, and a PostgreSQL
    /// connection's replies wake the writer at once instead of queueing behind HTTP tasks (a
    /// batch there waits for about ten of them in a row).
    pub async fn spawn_thread<S, F, Fut>(open: F, env: Env) -> anyhow::Result<Self>
    where
        S: Store + 'static,
        F: FnOnce() -> Fut + Send + 'static,
        Fut: Future<Output = Result<S, StoreError>>,
    {
        let (writer, receiver) = Self::channel();
        let (opened, was_opened) = oneshot::channel();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
        std::thread::Builder::new().name("taprain-writer".into()).spawn(move || {
            runtime.block_on(async move {
                match open().await {
                    Ok(store) => {
                        let _ = opened.send(Ok(()));
                        run(store, receiver, env).await;
                    }
                    Err(err) => {
                        let _ = opened.send(Err(err));
                    }
                }
            })
        })?;
        was_opened.await.map_err(|_| StoreError::Closed)??;
        Ok(writer)
    }

    fn channel() -> (Self, mpsc::Receiver<Box<dyn Queued>>) {
        let (sender, receiver) = mpsc::channel(QUEUE);
        (Self { sender }, receiver)
    }

    /// Queues `item` of source `S` and waits until it is committed.
    pub async fn submit<S: Source>(&self, item: S::Item) -> Result<S::Output, WriteFailed> {
        let (reply, answer) = oneshot::channel();
        self.sender.send(Box::new(Entry::<S> { item, reply })).await.map_err(|_| WriteFailed)?;
        answer.await.map_err(|_| WriteFailed)?
    }

    /// Items waiting for the writer now.
    pub fn queued(&self) -> usize {
        QUEUE - self.sender.capacity()
    }
}

struct Entry<S: Source> {
    item: S::Item,
    reply: oneshot::Sender<Result<S::Output, WriteFailed>>,
}

/// A queued item with its source erased.
trait Queued: Send {
    fn source(&self) -> TypeId;
    fn new_run(&self) -> Box<dyn Run>;
    fn into_any(self: Box<Self>) -> Box<dyn Any + Send>;
}

impl<S: Source> Queued for Entry<S> {
    fn source(&self) -> TypeId {
        TypeId::of::<S>()
    }

    fn new_run(&self) -> Box<dyn Run> {
        Box::new(RunOf::<S> { items: Vec::new(), replies: Vec::new(), outputs: Vec::new() })
    }

    fn into_any(self: Box<Self>) -> Box<dyn Any + Send> {
        self
    }
}

/// The items of one source in a batch.
#[async_trait]
trait Run: Send {
    fn push(&mut self, entry: Box<dyn Any + Send>);
    fn len(&self) -> usize;
    /// Writes every item; outputs are kept until `answer`.
    async fn write_all(&mut self, tx: &mut dyn WriteTx, env: &Env) -> Result<(), StoreError>;
    /// Writes item `index` alone.
    async fn write_one(&mut self, index: usize, tx: &mut dyn WriteTx, env: &Env) -> Result<(), StoreError>;
    /// Forgets outputs of a rolled-back transaction.
    fn forget(&mut self);
    /// Forgets item `index`'s output (its own transaction did not commit).
    fn forget_one(&mut self, index: usize);
    /// Answers every caller: its output, or `WriteFailed` when it has none.
    fn answer(self: Box<Self>, env: &Env);
}

struct RunOf<S: Source> {
    items: Vec<S::Item>,
    replies: Vec<oneshot::Sender<Result<S::Output, WriteFailed>>>,
    outputs: Vec<Option<S::Output>>,
}

#[async_trait]
impl<S: Source> Run for RunOf<S> {
    fn push(&mut self, entry: Box<dyn Any + Send>) {
        if let Ok(entry) = entry.downcast::<Entry<S>>() {
            self.items.push(entry.item);
            self.replies.push(entry.reply);
        }
    }

    fn len(&self) -> usize {
        self.items.len()
    }

    async fn write_all(&mut self, tx: &mut dyn WriteTx, env: &Env) -> Result<(), StoreError> {
        let outputs = S::write(tx, env, &self.items).await?;
        self.outputs = outputs.into_iter().map(Some).collect();
        Ok(())
    }

    async fn write_one(&mut self, index: usize, tx: &mut dyn WriteTx, env: &Env) -> Result<(), StoreError> {
        let mut outputs = S::write(tx, env, std::slice::from_ref(&self.items[index])).await?;
        self.outputs.resize_with(self.items.len(), || None);
        self.outputs[index] = outputs.pop();
        Ok(())
    }

    fn forget(&mut self) {
        self.outputs.clear();
    }

    fn forget_one(&mut self, index: usize) {
        if let Some(output) = self.outputs.get_mut(index) {
            *output = None;
        }
    }

    fn answer(self: Box<Self>, env: &Env) {
        let mut outputs = self.outputs.into_iter();
        for reply in self.replies {
            let _ = reply.send(match outputs.next().flatten() {
                Some(output) => {
                    S::committed(env, &output);
                    Ok(output)
                }
                None => Err(WriteFailed),
            });
        }
    }
}

async fn run<S: Store>(mut store: S, mut receiver: mpsc::Receiver<Box<dyn Queued>>, env: Env) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while receiver.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let runs = group(std::mem::take(&mut batch));
        let items: usize = runs.iter().map(|r| r.len()).sum();
        let started = Instant::now();
        let (runs, failed) = write_batch(&mut store, &env, runs).await;
        env.metrics.batch(items, started.elapsed(), failed);
        for run in runs {
            run.answer(&env);
        }
        store.maintain().await;
    }
}

/// Runs per source, in order of each source's first item.
fn group(batch: Vec<Box<dyn Queued>>) -> Vec<Box<dyn Run>> {
    let mut runs: Vec<(TypeId, Box<dyn Run>)> = Vec::new();
    for queued in batch {
        let source = queued.source();
        let index = match runs.iter().position(|(id, _)| *id == source) {
            Some(index) => index,
            None => {
                runs.push((source, queued.new_run()));
                runs.len() - 1
            }
        };
        runs[index].1.push(queued.into_any());
    }
    runs.into_iter().map(|(_, run)| run).collect()
}

/// Writes `runs` together, or, should that fail, each item alone; returns them and whether the
/// batch failed together.
async fn write_batch<S: Store>(store: &mut S, env: &Env, mut runs: Vec<Box<dyn Run>>) -> (Vec<Box<dyn Run>>, bool) {
    // Another connection writing (an admin action) can hold SQLite's write lock a moment; that is
    // worth a short wait and another try, not a failed postback.
    let mut attempt = 0;
    let failed = loop {
        match write_together(store, env, &mut runs).await {
            Ok(()) => return (runs, false),
            Err(err) if err.is_busy() && attempt < 6 => {
                for run in runs.iter_mut() {
                    run.forget();
                }
                tokio::time::sleep(Duration::from_millis(2 << attempt)).await;
                attempt += 1;
            }
            Err(err) => break err,
        }
    };
    let items: usize = runs.iter().map(|r| r.len()).sum();
    tracing::warn!(error = %failed, items, "batch write failed; writing items one by one");
    for run in runs.iter_mut() {
        run.forget();
        for index in 0..run.len() {
            if let Err(err) = write_alone(store, env, run.as_mut(), index).await {
                tracing::error!(error = %err, "write failed");
            }
        }
    }
    (runs, true)
}

async fn write_together<S: Store>(store: &mut S, env: &Env, runs: &mut [Box<dyn Run>]) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    for run in runs.iter_mut() {
        if let Err(err) = run.write_all(&mut *tx, env).await {
            tx.rollback().await;
            env.metrics.rolled_back();
            return Err(err);
        }
    }
    counted(env, tx.commit().await)
}

/// Counts the staged log entries if `commit` succeeded, else drops them.
fn counted(env: &Env, commit: Result<(), StoreError>) -> Result<(), StoreError> {
    match &commit {
        Ok(()) => env.metrics.committed(),
        Err(_) => env.metrics.rolled_back(),
    }
    commit
}

async fn write_alone<S: Store>(store: &mut S, env: &Env, run: &mut dyn Run, index: usize) -> Result<(), StoreError> {
    let mut tx = store.begin().await?;
    match run.write_one(index, &mut *tx, env).await {
        Ok(()) => counted(env, tx.commit().await).inspect_err(|_| run.forget_one(index)),
        Err(err) => {
            tx.rollback().await;
            env.metrics.rolled_back();
            Err(err)
        }
    }
}
