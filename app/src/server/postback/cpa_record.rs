//! Applies one accepted CPA postback inside the writer's transaction: exactly-once by the
//! conversion's unique `(source, scope, dedup_key)`, money moved through the ledger.

use sqlx::AnyConnection;

use super::quality::{self, Subject};
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::click::{click_facts, Click};
use crate::domain::cpa::{CpaPostback, CpaStatus};
use crate::domain::quality::Thresholds;
use crate::server::clock::now_ms;
use crate::server::conversions;
use crate::server::offerwall::clicks;
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
    let state = match postback.status {
        CpaStatus::Approved => ConversionState::Pending,
        CpaStatus::Reversed => ConversionState::ReversalPending,
        CpaStatus::Other(_) => ConversionState::Pending,
    };
    let click = clicks::find(conn, postback.click_id.as_deref()).await?;
    let mut draft = draft(network_id, postback, state, click.as_ref());
    // The common case is a new conversion: decide it fully, then insert it in its final state.
    // The unique key settles races; only on a conflict is the existing row read.
    if postback.status == CpaStatus::Approved {
        let reasons = check_quality(conn, &draft, click.as_ref(), thresholds).await?;
        draft.state = if reasons.is_empty() { ConversionState::Credited } else { ConversionState::Held };
        draft.reasons = reasons.iter().map(|r| r.as_str().to_owned()).collect();
    }
    if insert(conn, &dedup_key, &draft).await? {
        if draft.state == ConversionState::Credited {
            conversions::post_credit(conn, &draft).await?;
        }
        return Ok(Recorded::Created(draft));
    }
    let existing = conversions::find_by_key(conn, SOURCE, network_id, &dedup_key).await?.ok_or(sqlx::Error::RowNotFound)?;
    match (&postback.status, existing.state) {
        (CpaStatus::Approved, ConversionState::Pending) => {
            sqlx::query("UPDATE conversions SET amount_cents = $1, status_raw = $2 WHERE id = $3")
                .bind(postback.amount.get())
                .bind(status_raw(postback))
                .bind(&existing.id)
                .execute(&mut *conn)
                .await?;
            let refreshed = reload(conn, &existing.id).await?;
            Ok(Recorded::Updated(approve(conn, refreshed, thresholds).await?))
        }
        (CpaStatus::Approved, ConversionState::ReversalPending) => {
            // The reversal came first: credit and compensate now, so the history is complete
            // and the balance nets to zero.
            let credit = Conversion { amount_cents: postback.amount.get(), ..existing.clone() };
            conversions::post_credit(conn, &credit).await?;
            conversions::post_reversal(conn, &credit).await?;
            sqlx::query("UPDATE conversions SET amount_cents = $1 WHERE id = $2")
                .bind(postback.amount.get())
                .bind(&existing.id)
                .execute(&mut *conn)
                .await?;
            conversions::transition(conn, &existing.id, ConversionState::ReversalPending, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(reload(conn, &existing.id).await?))
        }
        (CpaStatus::Reversed, ConversionState::Credited) => {
            conversions::post_reversal(conn, &existing).await?;
            conversions::transition(conn, &existing.id, ConversionState::Credited, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(reload(conn, &existing.id).await?))
        }
        (CpaStatus::Reversed, state @ (ConversionState::Held | ConversionState::Pending)) => {
            conversions::transition(conn, &existing.id, state, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(reload(conn, &existing.id).await?))
        }
        _ => Ok(Recorded::Duplicate(Some(existing.id))),
    }
}

async fn check_quality(
    conn: &mut AnyConnection,
    conversion: &Conversion,
    click: Option<&Click>,
    thresholds: &Thresholds,
) -> Result<Vec<crate::domain::quality::Reason>, sqlx::Error> {
    let scope = conversion.network_id.clone().unwrap_or_default();
    let click = click_facts(conversion.click_id.as_deref(), click, &scope, conversion.event_at);
    let subject = Subject {
        id: &conversion.id,
        scope: &scope,
        amount_cents: conversion.amount_cents,
        end_user_ip: conversion.ip.as_deref(),
        country_code: conversion.country_code.as_deref(),
        offer_key: offer_key(conversion),
        click,
    };
    quality::check(conn, &subject, thresholds).await
}

/// Runs the quality checks on a pending conversion and credits it, or holds it with reasons.
async fn approve(conn: &mut AnyConnection, conversion: Conversion, thresholds: &Thresholds) -> Result<Conversion, sqlx::Error> {
    let click = clicks::find(conn, conversion.click_id.as_deref()).await?;
    let reasons = check_quality(conn, &conversion, click.as_ref(), thresholds).await?;
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

/// Which offer a conversion is for, as the usual-payout check groups them.
pub fn offer_key(c: &Conversion) -> Option<&str> {
    c.offer_id.as_deref().or(c.offer_name.as_deref())
}

/// A new conversion as it will be stored. With a matching click it is attributed to the click:
/// the click's wall's publisher, the clicked offer, and the click's s1, s2 and uid (the click's
/// values win over what the network echoes back).
pub fn draft(network_id: &str, p: &CpaPostback, state: ConversionState, click: Option<&Click>) -> Conversion {
    let now = now_ms();
    Conversion {
        id: secrets::new_ordered_id("cnv"),
        source: SOURCE.into(),
        network_id: Some(network_id.to_owned()),
        program_id: None,
        publisher_id: Some(click.map_or_else(|| p.external_identifier.clone(), |c| c.publisher_id.clone())),
        state,
        amount_cents: p.amount.get(),
        network_status: Some(status_raw(p)),
        reasons: Vec::new(),
        lead_id: p.lead_id.clone(),
        click_id: p.click_id.clone(),
        offer_id: p.offer_id.clone(),
        offer_name: p.offer_name.clone(),
        country_code: p.country_code.clone(),
        ip: p.ip.clone(),
        s2: click.and_then(|c| c.s2.clone()).or_else(|| p.s2.clone()),
        s1: click.and_then(|c| c.s1.clone()),
        uid: click.and_then(|c| c.uid.clone()),
        offerwall_id: click.map(|c| c.offerwall_id.clone()),
        catalog_offer_id: click.map(|c| c.offer_id.clone()),
        event_at: p.unix.map(|s| s * 1000).unwrap_or(now),
        created_at: now,
        updated_at: now,
    }
}

/// Inserts `c`; false when its key already exists (a repeat, possibly concurrent).
async fn insert(conn: &mut AnyConnection, dedup_key: &str, c: &Conversion) -> Result<bool, sqlx::Error> {
    Ok(super::batch::insert_conversions(conn, &[(dedup_key.to_owned(), c.clone())], true).await? == 1)
}
