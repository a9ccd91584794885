//! What the server counts for `/metrics` besides HTTP requests: postbacks by source and outcome
//! with their ingest latency, the single writer's batches, delivery attempts by outcome, and the
//! gauges read when `/metrics` is scraped (queues, live-feed clients, database pool).
//!
//! Every label comes from a fixed set: a source's name and an outcome word are `&'static str`s
//! written in the code, never text a caller sent.
//!
//! A postback is counted when its log entry commits: the sources stage their log entries while
//! they write ([`ServerMetrics::stage`]), and the writer applies the staged entries after the
//! commit or drops them with a rollback, so a batch written again item by item counts once.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{exponential_buckets, Histogram};
use prometheus_client::registry::Registry;

use super::clock::now_ms;
use super::db::Db;
use super::deliveries::listing;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PostbackLabels {
    source: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabels {
    source: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct QueueLabels {
    queue: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct PoolLabels {
    state: &'static str,
}

/// One logged call, staged until its transaction commits.
#[derive(Debug, Clone, Copy)]
struct Call {
    source: &'static str,
    outcome: &'static str,
    arrived: Instant,
}

/// The server's own metrics, shared by the writer, the delivery worker and `/metrics`.
#[derive(Debug)]
pub struct ServerMetrics {
    postbacks: Family<PostbackLabels, Counter>,
    ingest_latency: Family<SourceLabels, Histogram>,
    batch_items: Histogram,
    commit_seconds: Histogram,
    failed_batches: Counter,
    delivery_attempts: Family<OutcomeLabels, Counter>,
    queues: Family<QueueLabels, Gauge>,
    feed_clients: Gauge,
    pool: Family<PoolLabels, Gauge>,
    staged: Mutex<Vec<Call>>,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        Self {
            postbacks: Family::default(),
            // 100 µs to ~3 s.
            ingest_latency: Family::new_with_constructor(|| Histogram::new(exponential_buckets(0.0001, 2.0, 16))),
            batch_items: Histogram::new(exponential_buckets(1.0, 2.0, 11)),
            commit_seconds: Histogram::new(exponential_buckets(0.0001, 2.0, 16)),
            failed_batches: Counter::default(),
            delivery_attempts: Family::default(),
            queues: Family::default(),
            feed_clients: Gauge::default(),
            pool: Family::default(),
            staged: Mutex::new(Vec::new()),
        }
    }
}

impl ServerMetrics {
    /// Adds these metrics to `registry` (whose prefix names them `taprain_…`).
    pub fn register(&self, registry: &mut Registry) {
        registry.register("postbacks", "Inbound calls by source and logged outcome", self.postbacks.clone());
        registry.register("ingest_latency_seconds", "Time from a call's arrival to its answer, by source", self.ingest_latency.clone());
        registry.register("writer_batch_items", "Items committed together by the single writer", self.batch_items.clone());
        registry.register("writer_commit_seconds", "Time the single writer took to write and commit a batch", self.commit_seconds.clone());
        registry.register("writer_failed_batches", "Batches rolled back and written again item by item", self.failed_batches.clone());
        registry.register("delivery_attempts", "Outbound postback attempts by outcome", self.delivery_attempts.clone());
        registry.register("queue_depth", "Items waiting: writer, deliveries_due, deliveries_failed", self.queues.clone());
        registry.register("feed_clients", "Live-feed connections open on this instance", self.feed_clients.clone());
        registry.register("db_pool_connections", "Query-layer pool connections by state", self.pool.clone());
    }

    /// Stages a logged call of `source` that arrived at `arrived`; it is counted, with its
    /// latency up to the commit, when [`Self::committed`] follows.
    pub fn stage(&self, source: &'static str, outcome: &'static str, arrived: Instant) {
        self.lock().push(Call { source, outcome, arrived });
    }

    /// The staged calls were committed: count them.
    pub fn committed(&self) {
        for call in self.lock().drain(..) {
            self.postbacks.get_or_create(&PostbackLabels { source: call.source, outcome: call.outcome }).inc();
            self.ingest_latency.get_or_create(&SourceLabels { source: call.source }).observe(call.arrived.elapsed().as_secs_f64());
        }
    }

    /// The staged calls were rolled back: forget them.
    pub fn rolled_back(&self) {
        self.lock().clear();
    }

    /// One batch of `items` written by the single writer in `took`.
    pub fn batch(&self, items: usize, took: Duration, failed: bool) {
        self.batch_items.observe(items as f64);
        self.commit_seconds.observe(took.as_secs_f64());
        if failed {
            self.failed_batches.inc();
        }
    }

    /// One delivery attempt ended with `outcome` (`delivered`, `duplicate`, `failed`, `put_off`).
    pub fn delivery_attempt(&self, outcome: &'static str) {
        self.delivery_attempts.get_or_create(&OutcomeLabels { outcome }).inc();
    }

    /// Sets the gauges: the writer's queue and the live-feed clients as given, due and failed
    /// deliveries and the pool as read from `db` now. A database error leaves the delivery
    /// gauges as they were.
    pub async fn refresh(&self, db: &Db, writer_queue: usize, feed_clients: usize) {
        self.set_queue("writer", writer_queue);
        self.feed_clients.set(i64::try_from(feed_clients).unwrap_or(i64::MAX));
        let pool = db.pool();
        let idle = i64::try_from(pool.num_idle()).unwrap_or(i64::MAX);
        self.pool.get_or_create(&PoolLabels { state: "idle" }).set(idle);
        self.pool.get_or_create(&PoolLabels { state: "busy" }).set(i64::from(pool.size()) - idle);
        let counts = async { listing::queue_depths(&mut *pool.acquire().await?, now_ms()).await }.await;
        match counts {
            Ok((due, failed)) => {
                self.queues.get_or_create(&QueueLabels { queue: "deliveries_due" }).set(due);
                self.queues.get_or_create(&QueueLabels { queue: "deliveries_failed" }).set(failed);
            }
            Err(err) => tracing::warn!(error = %err, "reading delivery queue depths for /metrics failed"),
        }
    }

    fn set_queue(&self, queue: &'static str, depth: usize) {
        self.queues.get_or_create(&QueueLabels { queue }).set(i64::try_from(depth).unwrap_or(i64::MAX));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Call>> {
        self.staged.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use prometheus_client::encoding::text::encode;

    use super::*;

    fn render(metrics: &ServerMetrics) -> String {
        let mut registry = Registry::with_prefix("taprain");
        metrics.register(&mut registry);
        let mut out = String::new();
        encode(&mut out, &registry).expect("encode");
        out
    }

    #[test]
    fn staged_calls_count_only_once_committed() {
        let metrics = ServerMetrics::default();
        metrics.stage("cpa", "ok", Instant::now());
        metrics.rolled_back();
        metrics.stage("cpa", "ok", Instant::now());
        metrics.stage("cpa", "duplicate", Instant::now());
        metrics.committed();
        metrics.committed();
        let text = render(&metrics);
        assert!(text.contains("taprain_postbacks_total{source=\"cpa\",outcome=\"ok\"} 1\n"), "{text}");
        assert!(text.contains("taprain_postbacks_total{source=\"cpa\",outcome=\"duplicate\"} 1\n"), "{text}");
        assert!(text.contains("taprain_ingest_latency_seconds_count{source=\"cpa\"} 2\n"), "{text}");
    }

    #[test]
    fn batches_and_attempts_are_counted() {
        let metrics = ServerMetrics::default();
        metrics.batch(25, Duration::from_millis(3), false);
        metrics.batch(1, Duration::from_millis(1), true);
        metrics.delivery_attempt("delivered");
        let text = render(&metrics);
        assert!(text.contains("taprain_writer_batch_items_sum 26.0\n"), "{text}");
        assert!(text.contains("taprain_writer_failed_batches_total 1\n"), "{text}");
        assert!(text.contains("taprain_delivery_attempts_total{outcome=\"delivered\"} 1\n"), "{text}");
    }
}
