//! The conversion row as the pipeline writes and re-reads it inside the writer's transaction:
//! the one draft constructor every source starts from, the set-based insert (exactly once by the
//! unique `(source, scope, dedup_key)`), and reads by id or key.

use super::store::{args, Row, StoreError, Table, Ty, Val, WriteTx};
use super::writer::Env;
use crate::domain::catalog::{Conversion, ConversionState};
use crate::server::clock::now_ms;
use crate::server::secrets;

/// A new conversion of `source`: a fresh time-ordered id, pending, no money, received now.
/// Sources fill in what they know with struct update syntax.
pub fn draft(source: &str) -> Conversion {
    let now = now_ms();
    Conversion {
        id: secrets::new_ordered_id("cnv"),
        source: source.to_owned(),
        network_id: None,
        program_id: None,
        publisher_id: None,
        state: ConversionState::Pending,
        amount_cents: 0,
        network_status: None,
        reasons: Vec::new(),
        lead_id: None,
        click_id: None,
        offer_id: None,
        offer_name: None,
        country_code: None,
        ip: None,
        s2: None,
        s1: None,
        uid: None,
        offerwall_id: None,
        catalog_offer_id: None,
        event_at: now,
        created_at: now,
        updated_at: now,
    }
}

/// Which offer a conversion is for, as the usual-payout check groups them.
pub fn offer_key(c: &Conversion) -> Option<&str> {
    c.offer_id.as_deref().or(c.offer_name.as_deref())
}

/// What recording a postback did to its conversion, for the log and the event stream (CPA
/// postbacks and providers' calls).
#[derive(Debug, Clone, PartialEq)]
pub enum Recorded {
    /// A new conversion row.
    Created(Conversion),
    /// An existing conversion changed state (approved, reversed, settled).
    Updated(Conversion),
    /// A repeat: nothing changed.
    Duplicate(Option<String>),
}

impl Recorded {
    /// The log outcome for this result.
    pub fn outcome(&self) -> &'static str {
        match self {
            Recorded::Created(c) | Recorded::Updated(c) if c.state == ConversionState::Held => "held",
            Recorded::Created(_) | Recorded::Updated(_) => "ok",
            Recorded::Duplicate(_) => "duplicate",
        }
    }

    pub fn conversion_id(&self) -> Option<&str> {
        match self {
            Recorded::Created(c) | Recorded::Updated(c) => Some(&c.id),
            Recorded::Duplicate(id) => id.as_deref(),
        }
    }
}

/// After the commit: the live feed hears of a new or changed conversion, and the delivery
/// worker is woken for what may have queued an outbound postback.
pub fn announce(env: &Env, recorded: &Recorded) {
    match recorded {
        Recorded::Created(c) => {
            env.events.publish("created", c.clone());
            if c.state == ConversionState::Credited {
                env.deliveries.wake();
            }
        }
        Recorded::Updated(c) => {
            env.events.publish("updated", c.clone());
            env.deliveries.wake();
        }
        Recorded::Duplicate(_) => {}
    }
}

/// What the conversions API stores besides the common columns.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiColumns {
    pub customer_id: Option<String>,
    pub currency: Option<String>,
    pub order_amount: Option<String>,
    pub attributed_by: Option<String>,
    pub attributed_code: Option<String>,
    pub meta_data: Option<String>,
    pub user_agent: Option<String>,
    pub request_hash: Option<String>,
}

/// A conversion ready to insert: its exactly-once key and, for the conversions API, its extras.
#[derive(Debug, Clone)]
pub struct NewConversion<'a> {
    pub scope: &'a str,
    pub dedup_key: &'a str,
    pub conversion: &'a Conversion,
    pub api: Option<&'a ApiColumns>,
}

const TABLE: Table = Table {
    name: "conversions",
    columns: &[
        ("id", Ty::Text),
        ("source", Ty::Text),
        ("scope", Ty::Text),
        ("dedup_key", Ty::Text),
        ("network_id", Ty::Text),
        ("program_id", Ty::Text),
        ("publisher_id", Ty::Text),
        ("state", Ty::Text),
        ("amount_cents", Ty::Int),
        ("status_raw", Ty::Text),
        ("reasons", Ty::Text),
        ("lead_id", Ty::Text),
        ("click_id", Ty::Text),
        ("offer_id", Ty::Text),
        ("offer_name", Ty::Text),
        ("offer_key", Ty::Text),
        ("country_code", Ty::Text),
        ("end_user_ip", Ty::Text),
        ("s2", Ty::Text),
        ("s1", Ty::Text),
        ("uid", Ty::Text),
        ("offerwall_id", Ty::Text),
        ("catalog_offer_id", Ty::Text),
        ("customer_id", Ty::Text),
        ("currency", Ty::Text),
        ("order_amount", Ty::Text),
        ("attributed_by", Ty::Text),
        ("attributed_code", Ty::Text),
        ("meta_data", Ty::Text),
        ("user_agent", Ty::Text),
        ("request_hash", Ty::Text),
        ("event_at", Ty::Int),
        ("created_at", Ty::Int),
        ("updated_at", Ty::Int),
    ],
};

fn values(n: &NewConversion<'_>) -> Vec<Val> {
    let c = n.conversion;
    let api = n.api.cloned().unwrap_or_default();
    vec![
        c.id.as_str().into(),
        c.source.as_str().into(),
        n.scope.into(),
        n.dedup_key.into(),
        c.network_id.as_deref().into(),
        c.program_id.as_deref().into(),
        c.publisher_id.as_deref().into(),
        c.state.as_str().into(),
        c.amount_cents.into(),
        c.network_status.as_deref().into(),
        c.reasons.join(",").into(),
        c.lead_id.as_deref().into(),
        c.click_id.as_deref().into(),
        c.offer_id.as_deref().into(),
        c.offer_name.as_deref().into(),
        offer_key(c).into(),
        c.country_code.as_deref().into(),
        c.ip.as_deref().into(),
        c.s2.as_deref().into(),
        c.s1.as_deref().into(),
        c.uid.as_deref().into(),
        c.offerwall_id.as_deref().into(),
        c.catalog_offer_id.as_deref().into(),
        api.customer_id.into(),
        api.currency.into(),
        api.order_amount.into(),
        api.attributed_by.into(),
        api.attributed_code.into(),
        api.meta_data.into(),
        api.user_agent.into(),
        api.request_hash.into(),
        c.event_at.into(),
        c.created_at.into(),
        c.updated_at.into(),
    ]
}

/// Inserts conversions as a set and returns how many rows were written. With `skip_existing`,
/// a row whose key exists is skipped instead of failing the transaction.
pub async fn insert(tx: &mut dyn WriteTx, rows: &[NewConversion<'_>], skip_existing: bool) -> Result<u64, StoreError> {
    let values: Vec<Vec<Val>> = rows.iter().map(values).collect();
    tx.insert(&TABLE, &values, if skip_existing { "ON CONFLICT (source, scope, dedup_key) DO NOTHING" } else { "" }).await
}

/// The columns [`decode`] reads, in order.
pub const COLUMNS: &str = "id, source, network_id, program_id, publisher_id, state, amount_cents, status_raw, reasons, lead_id, \
     click_id, offer_id, offer_name, country_code, end_user_ip, s2, s1, uid, offerwall_id, catalog_offer_id, event_at, created_at, \
     updated_at";

/// A row selected with [`COLUMNS`] (further columns may follow).
pub fn decode(row: &Row) -> Result<Conversion, StoreError> {
    Ok(Conversion {
        id: row.text(0)?,
        source: row.text(1)?,
        network_id: row.opt_text(2)?,
        program_id: row.opt_text(3)?,
        publisher_id: row.opt_text(4)?,
        state: ConversionState::parse(&row.text(5)?).unwrap_or(ConversionState::Pending),
        amount_cents: row.int(6)?,
        network_status: row.opt_text(7)?,
        reasons: row.text(8)?.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
        lead_id: row.opt_text(9)?,
        click_id: row.opt_text(10)?,
        offer_id: row.opt_text(11)?,
        offer_name: row.opt_text(12)?,
        country_code: row.opt_text(13)?,
        ip: row.opt_text(14)?,
        s2: row.opt_text(15)?,
        s1: row.opt_text(16)?,
        uid: row.opt_text(17)?,
        offerwall_id: row.opt_text(18)?,
        catalog_offer_id: row.opt_text(19)?,
        event_at: row.int(20)?,
        created_at: row.int(21)?,
        updated_at: row.int(22)?,
    })
}

pub async fn get(tx: &mut dyn WriteTx, id: &str) -> Result<Option<Conversion>, StoreError> {
    let row = tx.query_one(&format!("SELECT {COLUMNS} FROM conversions WHERE id = $1"), args![id]).await?;
    row.as_ref().map(decode).transpose()
}

/// Reads `id` again after a change; it must exist.
pub async fn reload(tx: &mut dyn WriteTx, id: &str) -> Result<Conversion, StoreError> {
    get(tx, id).await?.ok_or(StoreError::Decode("conversion vanished inside its transaction"))
}

/// The conversion sharing `(source, scope, dedup_key)`, if any.
pub async fn find_by_key(tx: &mut dyn WriteTx, source: &str, scope: &str, dedup_key: &str) -> Result<Option<Conversion>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM conversions WHERE source = $1 AND scope = $2 AND dedup_key = $3");
    let row = tx.query_one(&sql, args![source, scope, dedup_key]).await?;
    row.as_ref().map(decode).transpose()
}

/// The conversions of `source` in `scope` with any of `keys`, as (dedup key, conversion): one
/// probe of the unique `(source, scope, dedup_key)` per key.
pub async fn find_by_keys(
    tx: &mut dyn WriteTx,
    source: &str,
    scope: &str,
    keys: &[String],
) -> Result<Vec<(String, Conversion)>, StoreError> {
    let before = format!("SELECT {COLUMNS}, dedup_key FROM conversions WHERE source = $1 AND scope = $2 AND dedup_key = ");
    let rows = tx.select_each(&before, &[Val::from(source), Val::from(scope)], keys).await?;
    rows.iter().map(|row| Ok((row.text(23)?, decode(row)?))).collect()
}

/// Moves `id` from `from` to `to` (compare-and-set); false when it was not in `from`.
pub async fn transition(
    tx: &mut dyn WriteTx,
    id: &str,
    from: ConversionState,
    to: ConversionState,
    reasons: Option<&str>,
) -> Result<bool, StoreError> {
    let done = tx
        .execute(
            "UPDATE conversions SET state = $1, reasons = COALESCE($2, reasons), updated_at = $3 WHERE id = $4 AND state = $5",
            args![to.as_str(), reasons, now_ms(), id, from.as_str()],
        )
        .await?;
    Ok(done == 1)
}
