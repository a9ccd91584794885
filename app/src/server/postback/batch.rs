//! The set-based write path for a batch of postbacks. Everything a batch needs to decide is read
//! up front (existing conversions for its keys, recent end-user IP counts, usual payouts), each
//! postback is decided in memory in arrival order, and the rows are written with a handful of
//! multi-row statements. A postback that changes an existing conversion (approval of a pending
//! one, a reversal, a settlement) flushes what is queued and takes the per-item path.

use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};

use sqlx::AnyConnection;

use super::cpa_record::{self, offer_key, Recorded, SOURCE};
use super::log::NewLogEntry;
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::click::{click_facts, Click};
use crate::domain::cpa::{CpaPostback, CpaStatus};
use crate::domain::delivery::DeliveryEvent;
use crate::domain::quality::{evaluate, Facts, Thresholds};
use crate::server::clock::now_ms;
use crate::server::conversions::COLUMNS;
use crate::server::offerwall::clicks;
use crate::server::sql::{chunks, list, placeholders};
use crate::server::{deliveries, ledger, secrets};

/// How many recent credited amounts make "the usual payout".
const PAYOUT_WINDOW: usize = 20;

type Key = (String, String);

/// What the batch knows and what it has queued to write.
pub struct Batch<'t> {
    thresholds: &'t Thresholds,
    known: HashMap<Key, Conversion>,
    ip_counts: HashMap<String, i64>,
    payouts: HashMap<Key, VecDeque<i64>>,
    clicks: HashMap<String, Click>,
    conversions: Vec<(String, Conversion)>,
    credits: Vec<Conversion>,
    logs: Vec<(NewLogEntry, Option<String>)>,
    refused: BTreeMap<Key, i64>,
}

/// One CPA postback of the batch, for prefetching.
pub struct Planned<'a> {
    pub network_id: &'a str,
    pub postback: &'a CpaPostback,
}

fn dedup_key(postback: &CpaPostback) -> String {
    postback.dedup_key().unwrap_or_else(|| format!("none:{}", secrets::new_id("u")))
}

/// True when a postback with `status` for a conversion in `state` changes nothing.
fn is_repeat(status: &CpaStatus, state: ConversionState) -> bool {
    match status {
        CpaStatus::Approved => !matches!(state, ConversionState::Pending | ConversionState::ReversalPending),
        CpaStatus::Reversed => !matches!(state, ConversionState::Credited | ConversionState::Held | ConversionState::Pending),
        CpaStatus::Other(_) => true,
    }
}

impl<'t> Batch<'t> {
    /// Reads what deciding `planned` needs.
    pub async fn prefetch(conn: &mut AnyConnection, planned: &[Planned<'_>], thresholds: &'t Thresholds) -> Result<Batch<'t>, sqlx::Error> {
        let mut batch = Batch {
            thresholds,
            known: HashMap::new(),
            ip_counts: HashMap::new(),
            payouts: HashMap::new(),
            clicks: HashMap::new(),
            conversions: Vec::new(),
            credits: Vec::new(),
            logs: Vec::new(),
            refused: BTreeMap::new(),
        };
        // Existing conversions for the batch's keys, per network so the unique index
        // (source, scope, dedup_key) is used for the lookup.
        let mut keys: BTreeMap<&str, HashSet<String>> = BTreeMap::new();
        for p in planned {
            if let Some(key) = p.postback.dedup_key() {
                keys.entry(p.network_id).or_default().insert(key);
            }
        }
        for (scope, scope_keys) in keys {
            for chunk in chunks(&scope_keys.into_iter().collect::<Vec<_>>()) {
                let in_list = list(3, chunk.len());
                let sql = format!(
                    "SELECT {COLUMNS}, scope, dedup_key FROM conversions WHERE source = $1 AND scope = $2 AND dedup_key IN ({in_list})"
                );
                let mut query = sqlx::query(&sql).bind(SOURCE).bind(scope);
                for key in chunk {
                    query = query.bind(key);
                }
                for row in query.fetch_all(&mut *conn).await? {
                    let (conversion, scope, key) = crate::server::conversions::from_row_with_key(&row)?;
                    batch.known.insert((scope, key), conversion);
                }
            }
        }
        let ips: HashSet<&str> = planned.iter().filter_map(|p| p.postback.ip.as_deref()).collect();
        let since = now_ms() - thresholds.ip_repeat_window_seconds * 1000;
        for chunk in chunks(&ips.into_iter().collect::<Vec<_>>()) {
            let in_list = list(2, chunk.len());
            let sql = format!(
                "SELECT end_user_ip, COUNT(*) FROM conversions WHERE created_at > $1 AND end_user_ip IN ({in_list}) GROUP BY end_user_ip"
            );
            let mut query = sqlx::query_as::<_, (String, i64)>(&sql).bind(since);
            for ip in chunk {
                query = query.bind(*ip);
            }
            batch.ip_counts.extend(query.fetch_all(&mut *conn).await?);
        }
        // The last credited amounts per offer: one indexed, limited read per distinct offer.
        let offers: HashSet<Key> = planned
            .iter()
            .filter_map(|p| {
                p.postback.offer_id.as_deref().or(p.postback.offer_name.as_deref()).map(|o| (p.network_id.to_owned(), o.to_owned()))
            })
            .collect();
        for (scope, offer) in offers {
            let amounts: Vec<(i64,)> = sqlx::query_as(&format!(
                "SELECT amount_cents FROM conversions WHERE scope = $1 AND offer_key = $2 AND state = 'credited' \
                 ORDER BY created_at DESC LIMIT {PAYOUT_WINDOW}"
            ))
            .bind(&scope)
            .bind(&offer)
            .fetch_all(&mut *conn)
            .await?;
            batch.payouts.insert((scope, offer), amounts.into_iter().map(|a| a.0).collect());
        }
        // The clicks the batch's click ids refer to (only TapRain's own `clk_…` ids).
        let click_ids: HashSet<&str> = planned.iter().filter_map(|p| p.postback.click_id.as_deref()).collect();
        for chunk in chunks(&click_ids.into_iter().collect::<Vec<_>>()) {
            batch.clicks.extend(clicks::find_many(&mut *conn, chunk).await?);
        }
        Ok(batch)
    }

    /// Decides one CPA postback; writes are queued unless it changes an existing conversion.
    pub async fn cpa(
        &mut self,
        conn: &mut AnyConnection,
        network_id: &str,
        postback: &CpaPostback,
        log: &NewLogEntry,
    ) -> Result<Recorded, sqlx::Error> {
        let key = (network_id.to_owned(), dedup_key(postback));
        let recorded = match self.known.get(&key) {
            Some(existing) if is_repeat(&postback.status, existing.state) => Recorded::Duplicate(Some(existing.id.clone())),
            Some(_) => {
                self.flush(conn).await?;
                let recorded = cpa_record::record(conn, network_id, postback, self.thresholds).await?;
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
        let mut c = cpa_record::draft(network_id, postback, initial, click);
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

    /// Queues a refused call's log entry and, for a refused source IP, its queue entry.
    pub fn refused(&mut self, log: &NewLogEntry, refused_ip: Option<&(String, String)>) {
        self.logs.push((log.clone(), None));
        if let Some((network, ip)) = refused_ip {
            *self.refused.entry((network.clone(), ip.clone())).or_default() += 1;
        }
    }

    /// Writes everything queued.
    pub async fn flush(&mut self, conn: &mut AnyConnection) -> Result<(), sqlx::Error> {
        let now = now_ms();
        insert_conversions(conn, &std::mem::take(&mut self.conversions), false).await?;
        let credits = std::mem::take(&mut self.credits);
        deliveries::queue::enqueue(conn, DeliveryEvent::Credit, &credits.iter().collect::<Vec<_>>()).await?;
        let mut balances: BTreeMap<String, i64> = BTreeMap::new();
        for chunk in chunks(&credits) {
            let sql = format!(
                "INSERT INTO ledger_entries (account, delta, reason, source_ref, created_at) VALUES {}",
                placeholders(chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for c in chunk {
                let account = ledger::publisher_account(c.publisher_id.as_deref().unwrap_or_default());
                *balances.entry(account.clone()).or_default() += c.amount_cents;
                query = query.bind(account).bind(c.amount_cents).bind("cpa conversion credited").bind(format!("{}:credit", c.id)).bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        let balances: Vec<_> = balances.into_iter().collect();
        for chunk in chunks(&balances) {
            let sql = format!(
                "INSERT INTO balances (account, balance, updated_at) VALUES {} \
                 ON CONFLICT (account) DO UPDATE SET balance = balances.balance + excluded.balance, updated_at = excluded.updated_at",
                placeholders(chunk.len(), 3)
            );
            let mut query = sqlx::query(&sql);
            for (account, delta) in chunk {
                query = query.bind(account).bind(*delta).bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        for chunk in chunks(&std::mem::take(&mut self.logs)) {
            let sql = format!(
                "INSERT INTO postback_log (received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params, conversion_id) VALUES {}",
                placeholders(chunk.len(), 10)
            );
            let mut query = sqlx::query(&sql);
            for (e, conversion_id) in chunk {
                query = query
                    .bind(e.received_at)
                    .bind(e.source)
                    .bind(e.network_id.as_deref())
                    .bind(&e.source_ip)
                    .bind(e.outcome)
                    .bind(i64::from(e.http_status))
                    .bind(&e.reason)
                    .bind(e.latency_us)
                    .bind(e.params.to_string())
                    .bind(conversion_id.as_deref());
            }
            query.execute(&mut *conn).await?;
        }
        let refused: Vec<_> = std::mem::take(&mut self.refused).into_iter().collect();
        for chunk in chunks(&refused) {
            let sql = format!(
                "INSERT INTO refused_ips (network_id, ip, count, first_seen, last_seen) VALUES {} \
                 ON CONFLICT (network_id, ip) DO UPDATE SET count = refused_ips.count + excluded.count, last_seen = excluded.last_seen",
                placeholders(chunk.len(), 5)
            );
            let mut query = sqlx::query(&sql);
            for ((network, ip), count) in chunk {
                query = query.bind(network).bind(ip).bind(*count).bind(now).bind(now);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }
}

/// Inserts conversions (with their dedup keys) in multi-row statements and returns how many
/// rows were written. With `skip_existing`, a row whose key exists is skipped instead of failing.
pub async fn insert_conversions(conn: &mut AnyConnection, rows: &[(String, Conversion)], skip_existing: bool) -> Result<u64, sqlx::Error> {
    let mut written = 0;
    for chunk in chunks(rows) {
        let sql = format!(
            "INSERT INTO conversions (id, source, scope, dedup_key, network_id, publisher_id, state, amount_cents, status_raw, reasons, \
             lead_id, click_id, offer_id, offer_name, offer_key, country_code, end_user_ip, s2, s1, uid, offerwall_id, catalog_offer_id, \
             event_at, created_at, updated_at) VALUES {}{}",
            placeholders(chunk.len(), 25),
            if skip_existing { " ON CONFLICT (source, scope, dedup_key) DO NOTHING" } else { "" }
        );
        let mut query = sqlx::query(&sql);
        for (key, c) in chunk {
            query = query
                .bind(&c.id)
                .bind(&c.source)
                .bind(c.network_id.as_deref())
                .bind(key)
                .bind(c.network_id.as_deref())
                .bind(c.publisher_id.as_deref())
                .bind(c.state.as_str())
                .bind(c.amount_cents)
                .bind(c.network_status.as_deref())
                .bind(c.reasons.join(","))
                .bind(c.lead_id.as_deref())
                .bind(c.click_id.as_deref())
                .bind(c.offer_id.as_deref())
                .bind(c.offer_name.as_deref())
                .bind(offer_key(c))
                .bind(c.country_code.as_deref())
                .bind(c.ip.as_deref())
                .bind(c.s2.as_deref())
                .bind(c.s1.as_deref())
                .bind(c.uid.as_deref())
                .bind(c.offerwall_id.as_deref())
                .bind(c.catalog_offer_id.as_deref())
                .bind(c.event_at)
                .bind(c.created_at)
                .bind(c.updated_at);
        }
        written += query.execute(&mut *conn).await?.rows_affected();
    }
    Ok(written)
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
