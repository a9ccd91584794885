//! Writes a conversions-API call inside the group-commit writer's transaction. A conversion is
//! exactly-once by the conversions table's unique `(source, scope, dedup_key)` = `('api',
//! program, external_id)`, and its commission is posted to the publisher's ledger in the same
//! transaction. A repeat with the same fingerprint gets the original answer; any other repeat
//! is a conflict. Customers are unique per program the same way.

use serde::Serialize;
use sqlx::AnyConnection;
use utoipa::ToSchema;

use super::attribution::{self, Attribution};
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::currency::Currency;
use crate::domain::decimal::format_minor_units;
use crate::domain::program::call::{ConversionCall, CustomerCall};
use crate::domain::program::HandleKind;
use crate::server::clock::now_ms;
use crate::server::conversions;
use crate::server::postback::log::{self, NewLogEntry};
use crate::server::secrets;

/// The `source` of conversions made through the API.
pub const SOURCE: &str = "api";

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

#[derive(Debug, Clone)]
pub enum ProgramJob {
    Conversion(AcceptedConversion),
    Customer(AcceptedCustomer),
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

pub async fn apply(conn: &mut AnyConnection, job: &ProgramJob) -> Result<ProgramRecorded, sqlx::Error> {
    match job {
        ProgramJob::Conversion(accepted) => {
            let recorded = record_conversion(conn, accepted).await?;
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
            log::insert(conn, &entry, conversion_id.as_deref()).await?;
            Ok(recorded)
        }
        ProgramJob::Customer(accepted) => {
            let recorded = record_customer(conn, accepted).await?;
            let mut entry = accepted.log.clone();
            if let ProgramRecorded::Conflict(message) = &recorded {
                (entry.outcome, entry.http_status, entry.reason) = ("conflict", 409, (*message).into());
            }
            log::insert(conn, &entry, None).await?;
            Ok(recorded)
        }
    }
}

/// What a conflicting conversion call is told.
pub const CONFLICT_MESSAGE: &str = "external_id: a different conversion with this external_id exists";
/// What a conflicting customer call is told.
pub const CUSTOMER_CONFLICT_MESSAGE: &str = "customer_id: this customer is already attributed to another publisher";

async fn record_conversion(conn: &mut AnyConnection, a: &AcceptedConversion) -> Result<ProgramRecorded, sqlx::Error> {
    let now = now_ms();
    let call = &a.call;
    let conversion = Conversion {
        id: secrets::new_ordered_id("cnv"),
        source: SOURCE.into(),
        network_id: None,
        program_id: Some(a.program_id.clone()),
        publisher_id: Some(a.attribution.publisher_id.clone()),
        state: ConversionState::Credited,
        amount_cents: a.commission,
        network_status: None,
        reasons: Vec::new(),
        lead_id: Some(call.external_id.clone()),
        click_id: call.handles.iter().find(|(k, _)| *k == HandleKind::ClickId).map(|(_, v)| v.clone()),
        offer_id: None,
        offer_name: None,
        country_code: None,
        ip: call.ip.map(|ip| ip.to_string()),
        s2: None,
        s1: None,
        uid: None,
        offerwall_id: None,
        catalog_offer_id: None,
        event_at: now,
        created_at: now,
        updated_at: now,
    };
    let inserted = sqlx::query(
        "INSERT INTO conversions (id, source, scope, dedup_key, program_id, publisher_id, state, amount_cents, reasons, lead_id, click_id, \
         end_user_ip, customer_id, currency, order_amount, attributed_by, attributed_code, meta_data, user_agent, request_hash, \
         event_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '', $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $20, $20) \
         ON CONFLICT (source, scope, dedup_key) DO NOTHING",
    )
    .bind(&conversion.id)
    .bind(SOURCE)
    .bind(&a.program_id)
    .bind(&call.external_id)
    .bind(&a.program_id)
    .bind(&a.attribution.publisher_id)
    .bind(conversion.state.as_str())
    .bind(a.commission)
    .bind(&call.external_id)
    .bind(conversion.click_id.as_deref())
    .bind(conversion.ip.as_deref())
    .bind(call.customer_id.as_deref())
    .bind(a.currency.as_str())
    .bind(call.amount.map(|amount| amount.to_string_with(a.currency.minor_digits())))
    .bind(a.attribution.field)
    .bind(&a.attribution.code)
    .bind(call.meta_data.as_ref().map(|m| serde_json::Value::Object(m.clone()).to_string()))
    .bind(call.user_agent.as_deref())
    .bind(&a.fingerprint)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 1 {
        if a.commission > 0 {
            conversions::post_credit(conn, &conversion).await?;
        }
        if let (true, Some(customer_id)) = (a.new_customer, call.customer_id.as_deref()) {
            insert_customer(conn, &a.program_id, customer_id, &a.attribution).await?;
        }
        let (answer, _) = load_answer(conn, &a.program_id, &call.external_id).await?.ok_or(sqlx::Error::RowNotFound)?;
        return Ok(ProgramRecorded::Created(Box::new(answer), Box::new(conversion)));
    }
    let (answer, fingerprint) = load_answer(conn, &a.program_id, &call.external_id).await?.ok_or(sqlx::Error::RowNotFound)?;
    if fingerprint.as_deref() == Some(a.fingerprint.as_str()) {
        Ok(ProgramRecorded::Replayed(Box::new(answer)))
    } else {
        Ok(ProgramRecorded::Conflict(CONFLICT_MESSAGE))
    }
}

type AnswerRow =
    (String, String, String, String, String, String, Option<String>, Option<String>, String, i64, Option<String>, i64, Option<String>);

/// The answer for the program's conversion `external_id`, and the fingerprint of its call.
pub async fn load_answer(
    conn: &mut AnyConnection,
    program_id: &str,
    external_id: &str,
) -> Result<Option<(ConversionAnswer, Option<String>)>, sqlx::Error> {
    let row: Option<AnswerRow> = sqlx::query_as(
        "SELECT c.id, c.publisher_id, p.name, c.attributed_by, c.attributed_code, c.currency, c.customer_id, c.order_amount, c.state, \
         c.amount_cents, c.meta_data, c.created_at, c.request_hash \
         FROM conversions c JOIN publishers p ON p.id = c.publisher_id WHERE c.source = $1 AND c.scope = $2 AND c.dedup_key = $3",
    )
    .bind(SOURCE)
    .bind(program_id)
    .bind(external_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some((id, publisher_id, name, field, value, currency, customer_id, amount, state, commission, meta, created_at, fingerprint)) = row
    else {
        return Ok(None);
    };
    let customer = match customer_id {
        Some(cid) => attribution::customer(conn, program_id, &cid).await?.map(|c| CustomerRef { id: c.id, customer_id: c.customer_id }),
        None => None,
    };
    let digits = Currency::parse(&currency).map(|c| c.minor_digits()).unwrap_or(2);
    let answer = ConversionAnswer {
        id,
        external_id: external_id.to_owned(),
        program_id: program_id.to_owned(),
        publisher: PublisherRef { id: publisher_id, name },
        attribution: AttributionRef { field, value },
        customer,
        amount,
        currency,
        commission: format_minor_units(commission, digits),
        commission_cents: commission,
        status: ConversionState::parse(&state).unwrap_or(ConversionState::Credited),
        meta_data: meta.and_then(|m| serde_json::from_str(&m).ok()),
        created_at,
    };
    Ok(Some((answer, fingerprint)))
}

async fn insert_customer(conn: &mut AnyConnection, program_id: &str, customer_id: &str, by: &Attribution) -> Result<bool, sqlx::Error> {
    let inserted = sqlx::query(
        "INSERT INTO program_customers (id, program_id, customer_id, publisher_id, attributed_by, attributed_code, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (program_id, customer_id) DO NOTHING",
    )
    .bind(secrets::new_id("cus"))
    .bind(program_id)
    .bind(customer_id)
    .bind(&by.publisher_id)
    .bind(by.field)
    .bind(&by.code)
    .bind(now_ms())
    .execute(conn)
    .await?;
    Ok(inserted.rows_affected() == 1)
}

async fn record_customer(conn: &mut AnyConnection, a: &AcceptedCustomer) -> Result<ProgramRecorded, sqlx::Error> {
    insert_customer(conn, &a.program_id, &a.call.customer_id, &a.attribution).await?;
    let row: Option<(String, String, String, String, String, String, i64)> = sqlx::query_as(
        "SELECT c.id, c.customer_id, c.publisher_id, p.name, c.attributed_by, c.attributed_code, c.created_at \
         FROM program_customers c JOIN publishers p ON p.id = c.publisher_id WHERE c.program_id = $1 AND c.customer_id = $2",
    )
    .bind(&a.program_id)
    .bind(&a.call.customer_id)
    .fetch_optional(conn)
    .await?;
    let (id, customer_id, publisher_id, name, field, value, created_at) = row.ok_or(sqlx::Error::RowNotFound)?;
    // The first attribution stands for life: the same publisher again is a replay, another is
    // a conflict.
    if publisher_id != a.attribution.publisher_id {
        return Ok(ProgramRecorded::Conflict(CUSTOMER_CONFLICT_MESSAGE));
    }
    Ok(ProgramRecorded::Customer(CustomerAnswer {
        id,
        customer_id,
        program_id: a.program_id.clone(),
        publisher: PublisherRef { id: publisher_id, name },
        attribution: AttributionRef { field, value },
        created_at,
    }))
}
