//! The set-based write of a batch of CPA postbacks. Everything the batch needs to decide is read
//! up front (existing conversions for its keys, recent end-user IP counts, usual payouts,
//! clicks), each postback is decided in memory in arrival order, and the rows are written as
//! sets. A postback that changes an existing conversion (approval of a pending one, a reversal,
//! a settlement) flushes what is queued and takes the item path of [`change`](super::change).

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use async_trait::async_trait;

use super::change::{self, dedup_key, Recorded};
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::click::{click_facts, Click};
use crate::domain::cpa::{CpaPostback, CpaStatus};
use crate::domain::delivery::DeliveryEvent;
use crate::domain::quality::{evaluate, Facts, Thresholds};
use crate::server::clock::now_ms;
use crate::server::deliveries::queue;
use crate::server::ingest::clicks::record as clicks;
use crate::server::ingest::conversion::{self, offer_key, NewConversion};
use crate::server::ingest::credit::{self, credit_entry};
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::store::{StoreError, Val, WriteTx};
use crate::server::ingest::writer::{Env, Source};
use crate::server::metrics::ServerMetrics;

/// How many recent credited amounts make "the usual payout".
const PAYOUT_WINDOW: usize = 20;

type Key = (String, String);

/// A CPA postback that passed every check; only the write is left.
#[derive(Debug, Clone)]
pub struct AcceptedCpa {
    pub network_id: String,
    pub postback: CpaPostback,
    pub log: NewLogEntry,
}

/// The writer's CPA source.
pub struct Cpa;

#[async_trait]
impl Source for Cpa {
    type Item = AcceptedCpa;
    type Output = Recorded;

    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[AcceptedCpa]) -> Result<Vec<Recorded>, StoreError> {
        let mut batch = Batch::prefetch(tx, items, env).await?;
        let mut outputs = Vec::with_capacity(items.len());
        for item in items {
            outputs.push(batch.cpa(tx, item).await?);
        }
        batch.flush(tx).await?;
        Ok(outputs)
    }

    fn committed(env: &Env, output: &Recorded) {
        conversion::announce(env, output);
    }
}

/// True when a postback with `status` for a conversion in `state` changes nothing.
fn is_repeat(status: &CpaStatus, state: ConversionState) -> bool {
    match status {
        CpaStatus::Approved => !matches!(state, ConversionState::Pending | ConversionState::ReversalPending),
        CpaStatus::Reversed => !matches!(state, ConversionState::Credited | ConversionState::Held | ConversionState::Pending),
        CpaStatus::Other(_) => true,
    }
}

/// What the batch knows and what it has queued to write.
struct Batch<'t> {
    thresholds: &'t Thresholds,
    metrics: &'t ServerMetrics,
    known: HashMap<Key, Conversion>,
    ip_counts: HashMap<String, i64>,
    payouts: HashMap<Key, VecDeque<i64>>,
    clicks: HashMap<String, Click>,
    conversions: Vec<(String, Conversion)>,
    credits: Vec<Conversion>,
    logs: Vec<(NewLogEntry, Option<String>)>,
}

impl<'t> Batch<'t> {
    /// Reads what deciding `items` needs.
    async fn prefetch(tx: &mut dyn WriteTx, items: &[AcceptedCpa], env: &'t Env) -> Result<Batch<'t>, StoreError> {
        let mut batch = Batch {
            thresholds: &env.thresholds,
            metrics: &env.metrics,
            known: HashMap::new(),
            ip_counts: HashMap::new(),
            payouts: HashMap::new(),
            clicks: HashMap::new(),
            conversions: Vec::new(),
            credits: Vec::new(),
            logs: Vec::new(),
        };
        // Existing conversions for the batch's keys, per network so the unique index
        // (source, scope, dedup_key) is used for the lookup.
        let mut keys: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
        for item in items {
            if let Some(key) = item.postback.dedup_key() {
                keys.entry(&item.network_id).or_default().insert(key);
            }
        }
        for (scope, scope_keys) in keys {
            let scope_keys: Vec<String> = scope_keys.into_iter().collect();
            for (key, conversion) in conversion::find_by_keys(tx, super::SOURCE, scope, &scope_keys).await? {
                batch.known.insert((scope.to_owned(), key), conversion);
            }
        }
        // Recent conversions per end-user IP: one indexed count per distinct IP. The IP comes back
        // as MAX(end_user_ip), which is NULL when there are none (and then the count is 0).
        let ips: HashSet<String> = items.iter().filter_map(|i| i.postback.ip.clone()).collect();
        let since = now_ms() - env.thresholds.ip_repeat_window_seconds * 1000;
        let before = "SELECT MAX(end_user_ip), COUNT(*) FROM conversions WHERE created_at > $1 AND end_user_ip = ";
        for row in tx.select_each(before, &[Val::from(since)], &ips.into_iter().collect::<Vec<_>>()).await? {
            if let Some(ip) = row.opt_text(0)? {
                batch.ip_counts.insert(ip, row.int(1)?);
            }
        }
        // The last credited amounts per offer: one indexed, limited read per distinct offer.
        let offers: HashSet<Key> = items
            .iter()
            .filter_map(|i| {
                i.postback.offer_id.as_deref().or(i.postback.offer_name.as_deref()).map(|o| (i.network_id.clone(), o.to_owned()))
            })
            .collect();
        for (scope, offer) in offers {
            let sql = format!(
                "SELECT amount_cents FROM conversions WHERE scope = $1 AND offer_key = $2 AND state = 'credited' \
                 ORDER BY created_at DESC LIMIT {PAYOUT_WINDOW}"
            );
            let amounts = tx.query(&sql, &[Val::from(scope.as_str()), Val::from(offer.as_str())]).await?;
            let amounts = amounts.iter().map(|r| r.int(0)).collect::<Result<VecDeque<_>, _>>()?;
            batch.payouts.insert((scope, offer), amounts);
        }
        // The clicks the batch's click ids refer to (only TapRain's own `clk_…` ids).
        let click_ids: Vec<&str> =
            items.iter().filter_map(|i| i.postback.click_id.as_deref()).collect::<HashSet<_>>().into_iter().collect();
        batch.clicks = clicks::find_many(tx, &click_ids).await?;
        Ok(batch)
    }

    /// Decides one CPA postback; writes are queued unless it changes an existing conversion.
    async fn cpa(&mut self, tx: &mut dyn WriteTx, item: &AcceptedCpa) -> Result<Recorded, StoreError> {
        let AcceptedCpa { network_id, postback, log } = item;
        let key = (network_id.clone(), dedup_key(postback));
        let recorded = match self.known.get(&key) {
            Some(existing) if is_repeat(&postback.status, existing.state) => Recorded::Duplicate(Some(existing.id.clone())),
            Some(_) => {
                self.flush(tx).await?;
                let recorded = change::record(tx, network_id, postback, self.thresholds).await?;
                if let Recorded::Updated(c) = &recorded {
                    if c.state == ConversionState::Credited {
                        self.remember_payout(c);
                    }
                    self.known.insert(key, c.clone());
                }
                recorded
            }
            None => {
                let conversion = self.decide_new(network_id, postback);
                self.conversions.push((key.1.clone(), conversion.clone()));
                self.known.insert(key, conversion.clone());
                Recorded::Created(conversion)
            }
        };
        let mut log = log.clone();
        log.outcome = recorded.outcome();
        if let Recorded::Created(c) | Recorded::Updated(c) = &recorded {
            log.reason = c.reasons.join(",");
        }
        self.logs.push((log, recorded.conversion_id().map(str::to_owned)));
        Ok(recorded)
    }

    fn decide_new(&mut self, network_id: &str, postback: &CpaPostback) -> Conversion {
        let initial = if postback.status == CpaStatus::Reversed { ConversionState::ReversalPending } else { ConversionState::Pending };
        let click = postback.click_id.as_deref().and_then(|id| self.clicks.get(id));
        let mut c = change::draft(network_id, postback, initial, click);
        if postback.status == CpaStatus::Approved {
            let usual = offer_key(&c).and_then(|o| self.payouts.get(&(network_id.to_owned(), o.to_owned())));
            let facts = Facts {
                amount_cents: c.amount_cents,
                end_user_ip: c.ip.clone(),
                country_code: c.country_code.clone(),
                same_ip_recent: c.ip.as_ref().and_then(|ip| self.ip_counts.get(ip)).copied().unwrap_or(0),
                usual_payout: usual.map(|amounts| (amounts.iter().sum::<i64>() / amounts.len().max(1) as i64, amounts.len() as i64)),
                click: click_facts(c.click_id.as_deref(), click, network_id, c.event_at),
            };
            let reasons = evaluate(&facts, self.thresholds);
            c.state = if reasons.is_empty() { ConversionState::Credited } else { ConversionState::Held };
            c.reasons = reasons.iter().map(|r| r.as_str().to_owned()).collect();
        }
        if let Some(ip) = &c.ip {
            *self.ip_counts.entry(ip.clone()).or_default() += 1;
        }
        if c.state == ConversionState::Credited {
            self.remember_payout(&c);
            self.credits.push(c.clone());
        }
        c
    }

    fn remember_payout(&mut self, c: &Conversion) {
        if let (Some(scope), Some(offer)) = (c.network_id.clone(), offer_key(c)) {
            let amounts = self.payouts.entry((scope, offer.to_owned())).or_default();
            amounts.push_front(c.amount_cents);
            amounts.truncate(PAYOUT_WINDOW);
        }
    }

    /// Writes everything queued.
    async fn flush(&mut self, tx: &mut dyn WriteTx) -> Result<(), StoreError> {
        let conversions = std::mem::take(&mut self.conversions);
        let rows: Vec<NewConversion<'_>> = conversions
            .iter()
            .map(|(key, c)| NewConversion { scope: c.network_id.as_deref().unwrap_or_default(), dedup_key: key, conversion: c, api: None })
            .collect();
        conversion::insert(tx, &rows, false).await?;
        let credits = std::mem::take(&mut self.credits);
        queue::enqueue(tx, DeliveryEvent::Credit, &credits.iter().collect::<Vec<_>>()).await?;
        credit::post_new(tx, &credits.iter().filter_map(credit_entry).collect::<Vec<_>>()).await?;
        let logs = std::mem::take(&mut self.logs);
        log::insert(tx, self.metrics, &logs.iter().map(|(e, id)| (e, id.as_deref())).collect::<Vec<_>>()).await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeats_are_recognised_by_status_and_state() {
        use ConversionState::*;
        assert!(is_repeat(&CpaStatus::Approved, Credited));
        assert!(is_repeat(&CpaStatus::Approved, Held));
        assert!(!is_repeat(&CpaStatus::Approved, Pending));
        assert!(!is_repeat(&CpaStatus::Approved, ReversalPending));
        assert!(!is_repeat(&CpaStatus::Reversed, Credited));
        assert!(is_repeat(&CpaStatus::Reversed, Reversed));
        assert!(is_repeat(&CpaStatus::Other("3".into()), Pending));
    }
}
