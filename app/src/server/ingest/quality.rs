//! Gathers the facts the quality rules look at (from the same transaction, so earlier
//! postbacks in a batch count) and evaluates them.

use super::store::{args, StoreError, WriteTx};
use crate::domain::quality::{evaluate, ClickFacts, Facts, Reason, Thresholds};
use crate::server::clock::now_ms;

/// What the service knows about the conversion being checked.
pub struct Subject<'a> {
    pub id: &'a str,
    pub scope: &'a str,
    pub amount_cents: i64,
    pub end_user_ip: Option<&'a str>,
    pub country_code: Option<&'a str>,
    /// The offer's identity: its id, else its name.
    pub offer_key: Option<&'a str>,
    /// What its `click_id` says (looked up by the caller).
    pub click: ClickFacts,
}

pub async fn check(tx: &mut dyn WriteTx, subject: &Subject<'_>, thresholds: &Thresholds) -> Result<Vec<Reason>, StoreError> {
    let same_ip_recent = match subject.end_user_ip {
        Some(ip) => {
            let since = now_ms() - thresholds.ip_repeat_window_seconds * 1000;
            let sql = "SELECT COUNT(*) FROM conversions WHERE end_user_ip = $1 AND created_at > $2 AND id <> $3";
            match tx.query_one(sql, args![ip, since, subject.id]).await? {
                Some(row) => row.int(0)?,
                None => 0,
            }
        }
        None => 0,
    };
    let usual_payout = match subject.offer_key {
        Some(offer) => {
            let sql = "SELECT COUNT(*), CAST(AVG(amount_cents) AS BIGINT) FROM (SELECT amount_cents FROM conversions \
                 WHERE scope = $1 AND offer_key = $2 AND state = 'credited' ORDER BY created_at DESC LIMIT 20) recent";
            match tx.query_one(sql, args![subject.scope, offer]).await? {
                Some(row) => row.opt_int(1)?.map(|avg| (avg, row.int(0).unwrap_or(0))),
                None => None,
            }
        }
        None => None,
    };
    let facts = Facts {
        amount_cents: subject.amount_cents,
        end_user_ip: subject.end_user_ip.map(str::to_owned),
        country_code: subject.country_code.map(str::to_owned),
        same_ip_recent,
        usual_payout,
        click: subject.click.clone(),
    };
    Ok(evaluate(&facts, thresholds))
}

/// Reasons as stored on the conversion (`a,b`).
pub fn join(reasons: &[Reason]) -> String {
    reasons.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(",")
}
