//! Applies one accepted CPA postback inside the writer's transaction: exactly-once by the
//! conversion's unique `(source, scope, dedup_key)`, money moved through the ledger.

use sqlx::AnyConnection;

use super::quality::{self, Subject};
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::cpa::{CpaPostback, CpaStatus};
use crate::domain::quality::Thresholds;
use crate::server::clock::now_ms;
use crate::server::conversions;
use crate::server::secrets;

/// What recording did, for the log and the event stream.
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

pub const SOURCE: &str = "cpa";

pub async fn record(
    conn: &mut AnyConnection,
    network_id: &str,
    postback: &CpaPostback,
    thresholds: &Thresholds,
) -> Result<Recorded, sqlx::Error> {
    let dedup_key = postback.dedup_key().unwrap_or_else(|| format!("none:{}", secrets::new_id("u")));
    let existing = conversions::find_by_key(conn, SOURCE, network_id, &dedup_key).await?;
    match (&postback.status, existing) {
        (CpaStatus::Approved, None) => {
            let Some(created) = insert(conn, network_id, &dedup_key, postback, ConversionState::Pending).await? else {
                return Ok(Recorded::Duplicate(None));
            };
            Ok(Recorded::Created(approve(conn, created, thresholds).await?))
        }
        (CpaStatus::Approved, Some(pending)) if pending.state == ConversionState::Pending => {
            sqlx::query("UPDATE conversions SET amount_cents = $1, status_raw = $2 WHERE id = $3")
                .bind(postback.amount.get())
                .bind(status_raw(postback))
                .bind(&pending.id)
                .execute(&mut *conn)
                .await?;
            let refreshed = reload(conn, &pending.id).await?;
            Ok(Recorded::Updated(approve(conn, refreshed, thresholds).await?))
        }
        (CpaStatus::Approved, Some(early)) if early.state == ConversionState::ReversalPending => {
            // The reversal came first: credit and compensate now, so the history is complete
            // and the balance nets to zero.
            let credit = Conversion { amount_cents: postback.amount.get(), ..early.clone() };
            conversions::post_credit(conn, &credit).await?;
            conversions::post_reversal(conn, &credit).await?;
            sqlx::query("UPDATE conversions SET amount_cents = $1 WHERE id = $2")
                .bind(postback.amount.get())
                .bind(&early.id)
                .execute(&mut *conn)
                .await?;
            conversions::transition(conn, &early.id, ConversionState::ReversalPending, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(reload(conn, &early.id).await?))
        }
        (CpaStatus::Reversed, None) => match insert(conn, network_id, &dedup_key, postback, ConversionState::ReversalPending).await? {
            Some(created) => Ok(Recorded::Created(created)),
            None => Ok(Recorded::Duplicate(None)),
        },
        (CpaStatus::Reversed, Some(found)) => match found.state {
            ConversionState::Credited => {
                conversions::post_reversal(conn, &found).await?;
                conversions::transition(conn, &found.id, ConversionState::Credited, ConversionState::Reversed, None).await?;
                Ok(Recorded::Updated(reload(conn, &found.id).await?))
            }
            state @ (ConversionState::Held | ConversionState::Pending) => {
                conversions::transition(conn, &found.id, state, ConversionState::Reversed, None).await?;
                Ok(Recorded::Updated(reload(conn, &found.id).await?))
            }
            _ => Ok(Recorded::Duplicate(Some(found.id))),
        },
        (CpaStatus::Other(_), None) => match insert(conn, network_id, &dedup_key, postback, ConversionState::Pending).await? {
            Some(created) => Ok(Recorded::Created(created)),
            None => Ok(Recorded::Duplicate(None)),
        },
        (_, Some(found)) => Ok(Recorded::Duplicate(Some(found.id))),
    }
}

/// Runs the quality checks on a pending conversion and credits it, or holds it with reasons.
async fn approve(conn: &mut AnyConnection, conversion: Conversion, thresholds: &Thresholds) -> Result<Conversion, sqlx::Error> {
    let offer_key = conversion.offer_id.as_deref().or(conversion.offer_name.as_deref());
    let scope = conversion.network_id.clone().unwrap_or_default();
    let subject = Subject {
        id: &conversion.id,
        scope: &scope,
        amount_cents: conversion.amount_cents,
        end_user_ip: conversion.ip.as_deref(),
        country_code: conversion.country_code.as_deref(),
        offer_key,
    };
    let reasons = quality::check(conn, &subject, thresholds).await?;
    if reasons.is_empty() {
        conversions::post_credit(conn, &conversion).await?;
        conversions::transition(conn, &conversion.id, ConversionState::Pending, ConversionState::Credited, None).await?;
    } else {
        let joined = quality::join(&reasons);
        conversions::transition(conn, &conversion.id, ConversionState::Pending, ConversionState::Held, Some(&joined)).await?;
    }
    reload(conn, &conversion.id).await
}

async fn reload(conn: &mut AnyConnection, id: &str) -> Result<Conversion, sqlx::Error> {
    conversions::get(conn, id).await?.ok_or(sqlx::Error::RowNotFound)
}

fn status_raw(postback: &CpaPostback) -> String {
    match &postback.status {
        CpaStatus::Approved => "1".into(),
        CpaStatus::Reversed => "2".into(),
        CpaStatus::Other(raw) => raw.clone(),
    }
}

/// Inserts a new conversion; `None` when its key already exists (a concurrent repeat).
async fn insert(
    conn: &mut AnyConnection,
    network_id: &str,
    dedup_key: &str,
    p: &CpaPostback,
    state: ConversionState,
) -> Result<Option<Conversion>, sqlx::Error> {
    let id = secrets::new_id("cnv");
    let now = now_ms();
    let event_at = p.unix.map(|s| s * 1000).unwrap_or(now);
    let inserted = sqlx::query(
        "INSERT INTO conversions (id, source, scope, dedup_key, network_id, publisher_id, state, amount_cents, status_raw, reasons, \
         lead_id, click_id, offer_id, offer_name, country_code, end_user_ip, s2, event_at, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $3, $5, $6, $7, $8, '', $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
         ON CONFLICT (source, scope, dedup_key) DO NOTHING",
    )
    .bind(&id)
    .bind(SOURCE)
    .bind(network_id)
    .bind(dedup_key)
    .bind(&p.external_identifier)
    .bind(state.as_str())
    .bind(p.amount.get())
    .bind(status_raw(p))
    .bind(p.lead_id.as_deref())
    .bind(p.click_id.as_deref())
    .bind(p.offer_id.as_deref())
    .bind(p.offer_name.as_deref())
    .bind(p.country_code.as_deref())
    .bind(p.ip.as_deref())
    .bind(p.s2.as_deref())
    .bind(event_at)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(None);
    }
    Ok(Some(reload(conn, &id).await?))
}
