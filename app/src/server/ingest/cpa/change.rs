//! One CPA postback that concerns an existing conversion (or races for a new one), applied
//! item by item inside the writer's transaction: exactly once by the conversion's unique
//! `(source, scope, dedup_key)`, money moved through the ledger.

use super::SOURCE;
use crate::domain::catalog::{Conversion, ConversionState};
use crate::domain::click::{click_facts, Click};
use crate::domain::cpa::{CpaPostback, CpaStatus};
use crate::domain::quality::Thresholds;
use crate::server::ingest::clicks::record as clicks;
pub use crate::server::ingest::conversion::Recorded;
use crate::server::ingest::conversion::{self, offer_key, NewConversion};
use crate::server::ingest::credit;
use crate::server::ingest::quality::{self, Subject};
use crate::server::ingest::store::{args, StoreError, WriteTx};
use crate::server::secrets;

/// The postback's exactly-once key: its lead id, else its click id, else a unique placeholder.
pub fn dedup_key(postback: &CpaPostback) -> String {
    postback.dedup_key().unwrap_or_else(|| format!("none:{}", secrets::new_id("u")))
}

pub async fn record(
    tx: &mut dyn WriteTx,
    network_id: &str,
    postback: &CpaPostback,
    thresholds: &Thresholds,
) -> Result<Recorded, StoreError> {
    let dedup_key = dedup_key(postback);
    let state = match postback.status {
        CpaStatus::Approved => ConversionState::Pending,
        CpaStatus::Reversed => ConversionState::ReversalPending,
        CpaStatus::Other(_) => ConversionState::Pending,
    };
    let click = clicks::find(tx, postback.click_id.as_deref()).await?;
    let mut draft = draft(network_id, postback, state, click.as_ref());
    // The common case is a new conversion: decide it fully, then insert it in its final state.
    // The unique key settles races; only on a conflict is the existing row read.
    if postback.status == CpaStatus::Approved {
        let reasons = check_quality(tx, &draft, click.as_ref(), thresholds).await?;
        draft.state = if reasons.is_empty() { ConversionState::Credited } else { ConversionState::Held };
        draft.reasons = reasons.iter().map(|r| r.as_str().to_owned()).collect();
    }
    if insert(tx, &dedup_key, &draft).await? {
        if draft.state == ConversionState::Credited {
            credit::post_credit(tx, &draft).await?;
        }
        return Ok(Recorded::Created(draft));
    }
    let existing = conversion::find_by_key(tx, SOURCE, network_id, &dedup_key)
        .await?
        .ok_or(StoreError::Decode("conversion vanished inside its transaction"))?;
    match (&postback.status, existing.state) {
        (CpaStatus::Approved, ConversionState::Pending) => {
            let sql = "UPDATE conversions SET amount_cents = $1, status_raw = $2 WHERE id = $3";
            tx.execute(sql, args![postback.amount.get(), status_raw(postback), existing.id.as_str()]).await?;
            let refreshed = conversion::reload(tx, &existing.id).await?;
            Ok(Recorded::Updated(approve(tx, refreshed, thresholds).await?))
        }
        (CpaStatus::Approved, ConversionState::ReversalPending) => {
            // The reversal came first: credit and compensate now, so the history is complete
            // and the balance nets to zero.
            let credit = Conversion { amount_cents: postback.amount.get(), ..existing.clone() };
            credit::post_credit(tx, &credit).await?;
            credit::post_reversal(tx, &credit).await?;
            tx.execute("UPDATE conversions SET amount_cents = $1 WHERE id = $2", args![postback.amount.get(), existing.id.as_str()])
                .await?;
            conversion::transition(tx, &existing.id, ConversionState::ReversalPending, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(conversion::reload(tx, &existing.id).await?))
        }
        (CpaStatus::Reversed, ConversionState::Credited) => {
            credit::post_reversal(tx, &existing).await?;
            conversion::transition(tx, &existing.id, ConversionState::Credited, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(conversion::reload(tx, &existing.id).await?))
        }
        (CpaStatus::Reversed, state @ (ConversionState::Held | ConversionState::Pending)) => {
            conversion::transition(tx, &existing.id, state, ConversionState::Reversed, None).await?;
            Ok(Recorded::Updated(conversion::reload(tx, &existing.id).await?))
        }
        _ => Ok(Recorded::Duplicate(Some(existing.id))),
    }
}

async fn check_quality(
    tx: &mut dyn WriteTx,
    conversion: &Conversion,
    click: Option<&Click>,
    thresholds: &Thresholds,
) -> Result<Vec<crate::domain::quality::Reason>, StoreError> {
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
    quality::check(tx, &subject, thresholds).await
}

/// Runs the quality checks on a pending conversion and credits it, or holds it with reasons.
async fn approve(tx: &mut dyn WriteTx, conversion: Conversion, thresholds: &Thresholds) -> Result<Conversion, StoreError> {
    let click = clicks::find(tx, conversion.click_id.as_deref()).await?;
    let reasons = check_quality(tx, &conversion, click.as_ref(), thresholds).await?;
    if reasons.is_empty() {
        credit::post_credit(tx, &conversion).await?;
        conversion::transition(tx, &conversion.id, ConversionState::Pending, ConversionState::Credited, None).await?;
    } else {
        let joined = quality::join(&reasons);
        conversion::transition(tx, &conversion.id, ConversionState::Pending, ConversionState::Held, Some(&joined)).await?;
    }
    conversion::reload(tx, &conversion.id).await
}

pub fn status_raw(postback: &CpaPostback) -> String {
    match &postback.status {
        CpaStatus::Approved => "1".into(),
        CpaStatus::Reversed => "2".into(),
        CpaStatus::Other(raw) => raw.clone(),
    }
}

/// A new conversion as it will be stored. With a matching click it is attributed to the click:
/// the click's wall's publisher, the clicked offer, and the click's s1, s2 and uid (the click's
/// values win over what the network echoes back).
pub fn draft(network_id: &str, p: &CpaPostback, state: ConversionState, click: Option<&Click>) -> Conversion {
    let base = conversion::draft(SOURCE);
    Conversion {
        network_id: Some(network_id.to_owned()),
        publisher_id: Some(click.map_or_else(|| p.external_identifier.clone(), |c| c.publisher_id.clone())),
        state,
        amount_cents: p.amount.get(),
        network_status: Some(status_raw(p)),
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
        event_at: p.unix.map(|s| s * 1000).unwrap_or(base.event_at),
        ..base
    }
}

/// Inserts `c`; false when its key already exists (a repeat, possibly concurrent).
async fn insert(tx: &mut dyn WriteTx, dedup_key: &str, c: &Conversion) -> Result<bool, StoreError> {
    let row = NewConversion { scope: c.network_id.as_deref().unwrap_or_default(), dedup_key, conversion: c, api: None };
    Ok(conversion::insert(tx, &[row], true).await? == 1)
}
