//! Who a conversions-API call belongs to: the program of its key, then the publisher of the
//! first handle that matches in the seed's priority (coupon > click_id > referral_code >
//! asset_id > source_id), else — lifetime commission — the publisher of a known customer.

use sqlx::AnyConnection;

use crate::domain::currency::Currency;
use crate::domain::program::call::FieldError;
use crate::domain::program::{CommissionRule, HandleKind};

/// What the API needs to know about a program.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub id: String,
    pub currency: Currency,
    pub rule: CommissionRule,
}

/// The program's terms (inactive programs have none).
pub async fn terms(conn: &mut AnyConnection, program_id: &str) -> Result<Option<Terms>, sqlx::Error> {
    let row: Option<(String, String, Option<i64>, Option<i64>)> =
        sqlx::query_as("SELECT id, currency, commission_ppm, commission_cents FROM programs WHERE id = $1 AND active = 1")
            .bind(program_id)
            .fetch_optional(conn)
            .await?;
    Ok(row.and_then(|(id, currency, ppm, minor)| {
        let rule = match (ppm, minor) {
            (Some(ppm), _) => CommissionRule::Percent { ppm },
            (None, Some(minor)) => CommissionRule::Fixed { minor },
            (None, None) => return None,
        };
        Some(Terms { id, currency: Currency::parse(&currency).ok()?, rule })
    }))
}

/// A known customer of a program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Customer {
    /// TapRain's id (`cus_…`).
    pub id: String,
    /// The merchant's id for the customer.
    pub customer_id: String,
    pub publisher_id: String,
}

/// The customer the merchant calls `customer_id`. TapRain's own `cus_…` id is accepted too, as
/// the seed's WooCommerce example sends the id the customers API answered with.
pub async fn customer(conn: &mut AnyConnection, program_id: &str, customer_id: &str) -> Result<Option<Customer>, sqlx::Error> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT id, customer_id, publisher_id FROM program_customers WHERE program_id = $1 AND (customer_id = $2 OR id = $2)",
    )
    .bind(program_id)
    .bind(customer_id)
    .fetch_all(conn)
    .await?;
    let mut found: Vec<Customer> =
        rows.into_iter().map(|(id, customer_id, publisher_id)| Customer { id, customer_id, publisher_id }).collect();
    found.sort_by_key(|c| c.customer_id != customer_id);
    Ok(found.into_iter().next())
}

/// The publisher a call is attributed to, and by which field and value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribution {
    pub publisher_id: String,
    /// `coupon`, `click_id`, `referral_code`, `asset_id`, `source_id` or `customer_id`.
    pub field: &'static str,
    pub code: String,
}

/// The first of `handles` (highest priority first) that the program knows and whose publisher
/// is active (a deactivated publisher earns nothing), else the known customer. When nothing matches, the refusal names the highest-priority field sent.
pub async fn resolve(
    conn: &mut AnyConnection,
    program_id: &str,
    handles: &[(HandleKind, String)],
    customer: Option<&Customer>,
) -> Result<Result<Attribution, FieldError>, sqlx::Error> {
    for (kind, code) in handles {
        let row: Option<(String,)> = sqlx::query_as(
            "SELECT h.publisher_id FROM program_handles h JOIN publishers p ON p.id = h.publisher_id \
                 WHERE h.program_id = $1 AND h.kind = $2 AND h.code = $3 AND p.active = 1",
        )
        .bind(program_id)
        .bind(kind.field())
        .bind(code)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((publisher_id,)) = row {
            return Ok(Ok(Attribution { publisher_id, field: kind.field(), code: code.clone() }));
        }
    }
    if let Some(c) = customer {
        if !crate::server::publishers::is_active(conn, &c.publisher_id).await? {
            return Ok(Err(FieldError { field: "customer_id", message: "the customer's publisher is deactivated".into() }));
        }
        return Ok(Ok(Attribution { publisher_id: c.publisher_id.clone(), field: "customer_id", code: c.customer_id.clone() }));
    }
    let refusal = match handles.first() {
        Some((kind, _)) => FieldError { field: kind.field(), message: format!("unknown {} in this program", kind.field()) },
        None => FieldError { field: "customer_id", message: "unknown customer; send an attribution field with it".into() },
    };
    Ok(Err(refusal))
}
