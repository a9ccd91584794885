//! Writes conversions-API calls inside the writer's transaction. A conversion is
//! exactly-once by the conversions table's unique `(source, scope, dedup_key)` = `('api',
//! program, external_id)`, and its commission is posted to the publisher's ledger in the same
//! transaction. A repeat with the same fingerprint gets the original answer; any other repeat
//! is a conflict. Customers are unique per program the same way.

use async_trait::async_trait;
use serde::Serialize;
use utoipa::ToSchema;

use super::SOURCE;
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::currency::Currency;
use crate::domain::decimal::format_minor_units;
use crate::domain::program::call::{ConversionCall, CustomerCall};
use crate::domain::program::HandleKind;
use crate::server::clock::now_ms;
use crate::server::ingest::conversion::{self, ApiColumns, NewConversion};
use crate::server::ingest::credit;
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::store::{args, Row, StoreError, WriteTx};
use crate::server::ingest::writer::{Env, Source};
use crate::server::programs::attribution::Attribution;
use crate::server::secrets;

/// A conversion call that passed every check; only the write is left.
#[derive(Debug, Clone)]
pub struct AcceptedConversion {
    pub program_id: String,
    pub call: ConversionCall,
    pub currency: Currency,
    pub commission: i64,
    pub attribution: Attribution,
    /// Register `call.customer_id` for the attributed publisher (it is not known yet).
    pub new_customer: bool,
    pub fingerprint: String,
    pub log: NewLogEntry,
}

/// A customer call that passed every check.
#[derive(Debug, Clone)]
pub struct AcceptedCustomer {
    pub program_id: String,
    pub call: CustomerCall,
    pub attribution: Attribution,
    pub log: NewLogEntry,
}

// Jobs move by value into the writer's batch once each; boxing the conversion would add an
// allocation per postback to save stack space nobody is short of.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone)]
pub enum ProgramJob {
    Conversion(Box<AcceptedConversion>),
    Customer(Box<AcceptedCustomer>),
}

/// What writing did.
#[derive(Debug, Clone, PartialEq)]
pub enum ProgramRecorded {
    /// A new conversion (for the answer and the live feed).
    Created(Box<ConversionAnswer>, Box<Conversion>),
    /// The same call again: the original answer, nothing written.
    Replayed(Box<ConversionAnswer>),
    /// A new customer, or the same customer call again.
    Customer(CustomerAnswer),
    /// The external id (or customer id) is taken by a different call.
    Conflict(&'static str),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PublisherRef {
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct AttributionRef {
    /// `coupon`, `click_id`, `referral_code`, `asset_id`, `source_id` or `customer_id`.
    pub field: String,
    pub value: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerRef {
    /// TapRain's id (`cus_…`).
    pub id: String,
    /// The merchant's id for the customer.
    pub customer_id: String,
}

/// The answer to a conversion call (201), the same on every replay.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ConversionAnswer {
    pub id: String,
    pub external_id: String,
    pub program_id: String,
    pub publisher: PublisherRef,
    /// The field that decided the publisher.
    pub attribution: AttributionRef,
    pub customer: Option<CustomerRef>,
    /// The order amount as a decimal string with at least the currency's decimals, or `null`.
    pub amount: Option<String>,
    pub currency: String,
    /// The commission credited, as a decimal string in `currency`.
    pub commission: String,
    /// The same in minor units.
    pub commission_cents: i64,
    /// `credited`, or `reversed` after an admin reversed it.
    pub status: ConversionState,
    #[schema(value_type = Option<Object>)]
    pub meta_data: Option<serde_json::Value>,
    pub created_at: i64,
}

/// The answer to a customer call (201).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerAnswer {
    pub id: String,
    pub customer_id: String,
    pub program_id: String,
    pub publisher: PublisherRef,
    pub attribution: AttributionRef,
    pub created_at: i64,
}

/// The writer's conversions-API source.
pub struct Programs;

#[async_trait]
impl Source for Programs {
    type Item = ProgramJob;
    type Output = ProgramRecorded;

    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[ProgramJob]) -> Result<Vec<ProgramRecorded>, StoreError> {
        let mut outputs = Vec::with_capacity(items.len());
        let mut logs = Vec::with_capacity(items.len());
        for job in items {
            let (recorded, entry, conversion_id) = apply(tx, job).await?;
            logs.push((entry, conversion_id));
            outputs.push(recorded);
        }
        log::insert(tx, &env.metrics, &logs.iter().map(|(e, id)| (e, id.as_deref())).collect::<Vec<_>>()).await?;
        Ok(outputs)
    }

    fn committed(env: &Env, output: &ProgramRecorded) {
        if let ProgramRecorded::Created(_, conversion) = output {
            env.events.publish("created", (**conversion).clone());
            env.deliveries.wake();
        }
    }
}

/// Writes one call and says what its log entry records.
async fn apply(tx: &mut dyn WriteTx, job: &ProgramJob) -> Result<(ProgramRecorded, NewLogEntry, Option<String>), StoreError> {
    match job {
        ProgramJob::Conversion(accepted) => {
            let recorded = record_conversion(tx, accepted).await?;
            let mut entry = accepted.log.clone();
            let conversion_id = match &recorded {
                ProgramRecorded::Created(answer, _) => Some(answer.id.clone()),
                ProgramRecorded::Replayed(answer) => {
                    entry.outcome = "duplicate";
                    Some(answer.id.clone())
                }
                _ => {
                    (entry.outcome, entry.http_status, entry.reason) = ("conflict", 409, CONFLICT_MESSAGE.into());
                    None
                }
            };
            Ok((recorded, entry, conversion_id))
        }
        ProgramJob::Customer(accepted) => {
            let recorded = record_customer(tx, accepted).await?;
            let mut entry = accepted.log.clone();
            if let ProgramRecorded::Conflict(message) = &recorded {
                (entry.outcome, entry.http_status, entry.reason) = ("conflict", 409, (*message).into());
            }
            Ok((recorded, entry, None))
        }
    }
}

/// What a conflicting conversion call is told.
pub const CONFLICT_MESSAGE: &str = "external_id: a different conversion with this external_id exists";
/// What a conflicting customer call is told.
pub const CUSTOMER_CONFLICT_MESSAGE: &str = "customer_id: this customer is already attributed to another publisher";

async fn record_conversion(tx: &mut dyn WriteTx, a: &AcceptedConversion) -> Result<ProgramRecorded, StoreError> {
    let call = &a.call;
    let conversion = Conversion {
        program_id: Some(a.program_id.clone()),
        publisher_id: Some(a.attribution.publisher_id.clone()),
        state: ConversionState::Credited,
        amount_cents: a.commission,
        lead_id: Some(call.external_id.clone()),
        click_id: call.handles.iter().find(|(k, _)| *k == HandleKind::ClickId).map(|(_, v)| v.clone()),
        ip: call.ip.map(|ip| ip.to_string()),
        ..conversion::draft(SOURCE)
    };
    let api = ApiColumns {
        customer_id: call.customer_id.clone(),
        currency: Some(a.currency.as_str().to_owned()),
        order_amount: call.amount.map(|amount| amount.to_string_with(a.currency.minor_digits())),
        attributed_by: Some(a.attribution.field.to_owned()),
        attributed_code: Some(a.attribution.code.clone()),
        meta_data: call.meta_data.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string()),
        user_agent: call.user_agent.clone(),
        request_hash: Some(a.fingerprint.clone()),
    };
    let row = NewConversion { scope: &a.program_id, dedup_key: &call.external_id, conversion: &conversion, api: Some(&api) };
    if conversion::insert(tx, &[row], true).await? == 1 {
        if a.commission > 0 {
            credit::post_credit(tx, &conversion).await?;
        }
        if let (true, Some(customer_id)) = (a.new_customer, call.customer_id.as_deref()) {
            insert_customer(tx, &a.program_id, customer_id, &a.attribution).await?;
        }
        let (answer, _) = load_answer(tx, &a.program_id, &call.external_id).await?.ok_or(StoreError::Decode("conversion vanished"))?;
        return Ok(ProgramRecorded::Created(Box::new(answer), Box::new(conversion)));
    }
    let (answer, fingerprint) =
        load_answer(tx, &a.program_id, &call.external_id).await?.ok_or(StoreError::Decode("conversion vanished"))?;
    if fingerprint.as_deref() == Some(a.fingerprint.as_str()) {
        Ok(ProgramRecorded::Replayed(Box::new(answer)))
    } else {
        Ok(ProgramRecorded::Conflict(CONFLICT_MESSAGE))
    }
}

/// The answer for the program's conversion `external_id`, and the fingerprint of its call.
pub async fn load_answer(
    tx: &mut dyn WriteTx,
    program_id: &str,
    external_id: &str,
) -> Result<Option<(ConversionAnswer, Option<String>)>, StoreError> {
    let sql = "SELECT c.id, c.publisher_id, p.name, c.attributed_by, c.attributed_code, c.currency, c.customer_id, c.order_amount, \
               c.state, c.amount_cents, c.meta_data, c.created_at, c.request_hash \
               FROM conversions c JOIN publishers p ON p.id = c.publisher_id WHERE c.source = $1 AND c.scope = $2 AND c.dedup_key = $3";
    let Some(row) = tx.query_one(sql, args![SOURCE, program_id, external_id]).await? else { return Ok(None) };
    let customer = match row.opt_text(6)? {
        Some(cid) => customer(tx, program_id, &cid).await?,
        None => None,
    };
    let currency = row.text(5)?;
    let digits = Currency::parse(&currency).map(|c| c.minor_digits()).unwrap_or(2);
    let commission = row.int(9)?;
    let answer = ConversionAnswer {
        id: row.text(0)?,
        external_id: external_id.to_owned(),
        program_id: program_id.to_owned(),
        publisher: PublisherRef { id: row.text(1)?, name: row.text(2)? },
        attribution: AttributionRef { field: row.text(3)?, value: row.text(4)? },
        customer,
        amount: row.opt_text(7)?,
        currency,
        commission: format_minor_units(commission, digits),
        commission_cents: commission,
        status: ConversionState::parse(&row.text(8)?).unwrap_or(ConversionState::Credited),
        meta_data: row.opt_text(10)?.and_then(|m| serde_json::from_str(&m).ok()),
        created_at: row.int(11)?,
    };
    Ok(Some((answer, row.opt_text(12)?)))
}

/// The program's customer by the merchant's id (or TapRain's `cus_…` id).
async fn customer(tx: &mut dyn WriteTx, program_id: &str, customer_id: &str) -> Result<Option<CustomerRef>, StoreError> {
    let sql = "SELECT id, customer_id FROM program_customers WHERE program_id = $1 AND (customer_id = $2 OR id = $2)";
    let rows = tx.query(sql, args![program_id, customer_id]).await?;
    let mut found: Vec<CustomerRef> =
        rows.iter().map(|r: &Row| Ok(CustomerRef { id: r.text(0)?, customer_id: r.text(1)? })).collect::<Result<_, StoreError>>()?;
    found.sort_by_key(|c| c.customer_id != customer_id);
    Ok(found.into_iter().next())
}

async fn insert_customer(tx: &mut dyn WriteTx, program_id: &str, customer_id: &str, by: &Attribution) -> Result<bool, StoreError> {
    let inserted = tx
        .execute(
            "INSERT INTO program_customers (id, program_id, customer_id, publisher_id, attributed_by, attributed_code, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (program_id, customer_id) DO NOTHING",
            args![secrets::new_id("cus"), program_id, customer_id, by.publisher_id.as_str(), by.field, by.code.as_str(), now_ms()],
        )
        .await?;
    Ok(inserted == 1)
}

async fn record_customer(tx: &mut dyn WriteTx, a: &AcceptedCustomer) -> Result<ProgramRecorded, StoreError> {
    insert_customer(tx, &a.program_id, &a.call.customer_id, &a.attribution).await?;
    let sql = "SELECT c.id, c.customer_id, c.publisher_id, p.name, c.attributed_by, c.attributed_code, c.created_at \
               FROM program_customers c JOIN publishers p ON p.id = c.publisher_id WHERE c.program_id = $1 AND c.customer_id = $2";
    let row = tx
        .query_one(sql, args![a.program_id.as_str(), a.call.customer_id.as_str()])
        .await?
        .ok_or(StoreError::Decode("customer vanished"))?;
    let publisher_id = row.text(2)?;
    // The first attribution stands for life: the same publisher again is a replay, another is
    // a conflict.
    if publisher_id != a.attribution.publisher_id {
        return Ok(ProgramRecorded::Conflict(CUSTOMER_CONFLICT_MESSAGE));
    }
    Ok(ProgramRecorded::Customer(CustomerAnswer {
        id: row.text(0)?,
        customer_id: row.text(1)?,
        program_id: a.program_id.clone(),
        publisher: PublisherRef { id: publisher_id, name: row.text(3)? },
        attribution: AttributionRef { field: row.text(4)?, value: row.text(5)? },
        created_at: row.int(6)?,
    }))
}
