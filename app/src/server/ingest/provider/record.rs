//! The set-based write of a batch of providers' calls. The batch's known transactions are read
//! up front (one indexed read per provider), each call is decided in memory in arrival order, and
//! new conversions and their ledger entries are written as sets. A call that changes an existing
//! conversion (a reversal of a credit, or the credit a waiting reversal settles) flushes what is
//! queued and is applied on its own. Exactly once by the unique `(source, scope, dedup_key)` =
//! `(provider, provider id, transaction)`.

use std::collections::HashMap;

use async_trait::async_trait;

use super::SOURCE;
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::provider::{Direction, ProviderPostback};
use crate::server::ingest::conversion::{self, NewConversion, Recorded};
use crate::server::ingest::credit::{self, Entry};
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::store::{args, StoreError, WriteTx};
use crate::server::ingest::writer::{Env, Source};
use crate::server::metrics::ServerMetrics;

/// A provider's call that passed every check; only the write is left.
#[derive(Debug, Clone)]
pub struct AcceptedCall {
    pub provider_id: String,
    pub postback: ProviderPostback,
    /// The reward in whole coins, rounded as the provider says.
    pub coins: i64,
    /// Judged and answered, never credited: such calls are only logged.
    pub sandbox: bool,
    pub log: NewLogEntry,
}

/// What a call does to its transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// A new transaction: credited, or a reversal waiting for its credit.
    New(ConversionState),
    /// A reversal of a credited transaction: exactly what was credited is taken back.
    Reverse,
    /// The credit a waiting reversal was for: credited and taken back at once.
    Settle,
    /// Seen before: `DUP`, nothing changes.
    Duplicate,
}

/// The step for a call in `direction` on a transaction in `existing` state (`None`: unseen).
pub fn step(direction: Direction, existing: Option<ConversionState>) -> Step {
    match (direction, existing) {
        (Direction::Credit, None) => Step::New(ConversionState::Credited),
        (Direction::Reversal, None) => Step::New(ConversionState::ReversalPending),
        (Direction::Credit, Some(ConversionState::ReversalPending)) => Step::Settle,
        (Direction::Reversal, Some(ConversionState::Credited)) => Step::Reverse,
        _ => Step::Duplicate,
    }
}

/// The writer's provider source.
pub struct ProviderCalls;

#[async_trait]
impl Source for ProviderCalls {
    type Item = AcceptedCall;
    type Output = Recorded;

    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[AcceptedCall]) -> Result<Vec<Recorded>, StoreError> {
        let mut batch = Batch::prefetch(tx, items, &env.metrics).await?;
        let mut outputs = Vec::with_capacity(items.len());
        for item in items {
            outputs.push(batch.call(tx, item).await?);
        }
        batch.flush(tx).await?;
        Ok(outputs)
    }

    fn committed(env: &Env, output: &Recorded) {
        conversion::announce(env, output);
    }
}

type Key = (String, String);

fn key(item: &AcceptedCall) -> Key {
    (item.provider_id.clone(), item.postback.transaction.clone())
}

/// What the batch knows and what it has queued to write.
struct Batch<'e> {
    metrics: &'e ServerMetrics,
    known: HashMap<Key, Conversion>,
    conversions: Vec<(Key, Conversion)>,
    entries: Vec<Entry>,
    logs: Vec<(NewLogEntry, Option<String>)>,
}

impl<'e> Batch<'e> {
    async fn prefetch(tx: &mut dyn WriteTx, items: &[AcceptedCall], metrics: &'e ServerMetrics) -> Result<Batch<'e>, StoreError> {
        let mut by_provider: HashMap<&str, Vec<String>> = HashMap::new();
        for item in items {
            let keys = by_provider.entry(&item.provider_id).or_default();
            if !keys.contains(&item.postback.transaction) {
                keys.push(item.postback.transaction.clone());
            }
        }
        let mut batch = Batch { metrics, known: HashMap::new(), conversions: Vec::new(), entries: Vec::new(), logs: Vec::new() };
        for (provider, keys) in by_provider {
            for (key, conversion) in conversion::find_by_keys(tx, SOURCE, provider, &keys).await? {
                batch.known.insert((provider.to_owned(), key), conversion);
            }
        }
        Ok(batch)
    }

    async fn call(&mut self, tx: &mut dyn WriteTx, item: &AcceptedCall) -> Result<Recorded, StoreError> {
        let key = key(item);
        let existing = self.known.get(&key);
        let (recorded, reason) = match step(item.postback.direction, existing.map(|c| c.state)) {
            Step::Duplicate => (Recorded::Duplicate(existing.map(|c| c.id.clone())), String::new()),
            Step::New(state) => {
                let c = draft(item, state);
                let reason = if state == ConversionState::Credited {
                    if let Some(entry) = credit_entry(item, &c) {
                        self.entries.push(entry);
                    }
                    credited(item.coins)
                } else {
                    "reversal before its credit: nothing to take back yet".to_owned()
                };
                self.conversions.push((key.clone(), c.clone()));
                self.known.insert(key, c.clone());
                (Recorded::Created(c), reason)
            }
            Step::Reverse => {
                let existing = existing.cloned().ok_or(StoreError::Decode("a reversal without its credit"))?;
                self.flush(tx).await?;
                let taken = credit::post_reversal(tx, &existing).await?.unwrap_or(0);
                conversion::transition(tx, &existing.id, ConversionState::Credited, ConversionState::Reversed, None).await?;
                let c = conversion::reload(tx, &existing.id).await?;
                self.known.insert(key, c.clone());
                (Recorded::Updated(c), format!("reversed: {} taken back", coins_text(taken)))
            }
            Step::Settle => {
                let existing = existing.cloned().ok_or(StoreError::Decode("a settlement without its reversal"))?;
                self.flush(tx).await?;
                let settled = Conversion { amount_cents: item.postback.payout_cents, ..existing };
                if let Some(entry) = credit_entry(item, &settled) {
                    credit::post(tx, &entry).await?;
                    credit::post_reversal(tx, &settled).await?;
                }
                tx.execute("UPDATE conversions SET amount_cents = $1 WHERE id = $2", args![settled.amount_cents, settled.id.as_str()])
                    .await?;
                conversion::transition(tx, &settled.id, ConversionState::ReversalPending, ConversionState::Reversed, None).await?;
                let c = conversion::reload(tx, &settled.id).await?;
                self.known.insert(key, c.clone());
                (Recorded::Updated(c), format!("settled: {}, and taken back by the earlier reversal", credited(item.coins)))
            }
        };
        let mut log = item.log.clone();
        log.outcome = recorded.outcome();
        log.reason = reason;
        self.logs.push((log, recorded.conversion_id().map(str::to_owned)));
        Ok(recorded)
    }

    /// Writes everything queued.
    async fn flush(&mut self, tx: &mut dyn WriteTx) -> Result<(), StoreError> {
        let conversions = std::mem::take(&mut self.conversions);
        let rows: Vec<NewConversion<'_>> = conversions
            .iter()
            .map(|((provider, transaction), c)| NewConversion { scope: provider, dedup_key: transaction, conversion: c, api: None })
            .collect();
        conversion::insert(tx, &rows, false).await?;
        credit::post_new(tx, &std::mem::take(&mut self.entries)).await?;
        let logs = std::mem::take(&mut self.logs);
        log::insert(tx, self.metrics, &logs.iter().map(|(e, id)| (e, id.as_deref())).collect::<Vec<_>>()).await?;
        Ok(())
    }
}

fn coins_text(coins: i64) -> String {
    if coins == 1 {
        "1 coin".to_owned()
    } else {
        format!("{coins} coins")
    }
}

fn credited(coins: i64) -> String {
    format!("credited {}", coins_text(coins))
}

/// The ledger entry crediting the reward user (none for a reward that rounds to 0 coins).
fn credit_entry(item: &AcceptedCall, c: &Conversion) -> Option<Entry> {
    (item.coins != 0).then(|| Entry {
        account: item.postback.user.account(),
        delta: item.coins,
        reason: format!("provider {} transaction {}", item.provider_id, item.postback.transaction),
        source_ref: format!("{}:credit", c.id),
    })
}

/// The call as a conversion: no network or publisher (nothing is relayed); the payout is its
/// amount in cents, the transaction its lead, the reward user its `uid`.
pub fn draft(item: &AcceptedCall, state: ConversionState) -> Conversion {
    let p = &item.postback;
    Conversion {
        state,
        amount_cents: p.payout_cents,
        network_status: Some(match p.direction {
            Direction::Credit => "1".to_owned(),
            Direction::Reversal => "2".to_owned(),
        }),
        lead_id: Some(p.transaction.clone()),
        uid: Some(p.user.to_string()),
        offer_id: p.offer_id.clone(),
        offer_name: p.offer_name.clone(),
        country_code: p.country.clone(),
        ip: p.ip.map(|ip| ip.to_string()),
        ..conversion::draft(SOURCE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_call_takes_its_step() {
        use ConversionState::*;
        assert_eq!(step(Direction::Credit, None), Step::New(Credited));
        assert_eq!(step(Direction::Reversal, None), Step::New(ReversalPending));
        assert_eq!(step(Direction::Reversal, Some(Credited)), Step::Reverse);
        assert_eq!(step(Direction::Credit, Some(ReversalPending)), Step::Settle);
        for state in [Credited, Reversed] {
            assert_eq!(step(Direction::Credit, Some(state)), Step::Duplicate);
        }
        for state in [Reversed, ReversalPending] {
            assert_eq!(step(Direction::Reversal, Some(state)), Step::Duplicate);
        }
    }
}
