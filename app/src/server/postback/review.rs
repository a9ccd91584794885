//! An admin's decision on a conversion: approve or reject a held one, reverse a credited one.
//! Runs in the writer like postbacks, so a decision and a postback never race.

use sqlx::AnyConnection;

use crate::domain::catalog::{Conversion, ConversionState};
use crate::server::audit::{self, Actor};
use crate::server::conversions;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    Approve,
    Reject,
    Reverse,
}

impl ReviewAction {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewAction::Approve => "approve",
            ReviewAction::Reject => "reject",
            ReviewAction::Reverse => "reverse",
        }
    }

    /// The state the conversion must be in, and the state it moves to.
    fn transition(self) -> (ConversionState, ConversionState) {
        match self {
            ReviewAction::Approve => (ConversionState::Held, ConversionState::Credited),
            ReviewAction::Reject => (ConversionState::Held, ConversionState::Rejected),
            ReviewAction::Reverse => (ConversionState::Credited, ConversionState::Reversed),
        }
    }
}

/// Why a decision was not applied.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewRefusal {
    #[error("conversion not found")]
    NotFound,
    #[error("cannot {action} a conversion that is {state}")]
    WrongState { action: &'static str, state: &'static str },
}

pub async fn apply(
    conn: &mut AnyConnection,
    id: &str,
    action: ReviewAction,
    actor: &Actor,
) -> Result<Result<Conversion, ReviewRefusal>, sqlx::Error> {
    let Some(conversion) = conversions::get(conn, id).await? else { return Ok(Err(ReviewRefusal::NotFound)) };
    let (from, to) = action.transition();
    if conversion.state != from {
        return Ok(Err(ReviewRefusal::WrongState { action: action.as_str(), state: conversion.state.as_str() }));
    }
    match action {
        ReviewAction::Approve => {
            conversions::post_credit(conn, &conversion).await?;
        }
        ReviewAction::Reverse => {
            conversions::post_reversal(conn, &conversion).await?;
        }
        ReviewAction::Reject => {}
    }
    conversions::transition(conn, id, from, to, None).await?;
    let details = serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "amount_cents": conversion.amount_cents });
    audit::record(conn, actor, &format!("conversion.{}", action.as_str()), id, details).await?;
    conversions::get(conn, id).await?.ok_or(sqlx::Error::RowNotFound).map(Ok)
}

/// Why a decision submitted through the writer did not happen.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SubmitError {
    #[error(transparent)]
    Refused(#[from] ReviewRefusal),
    /// The writer could not commit it; nothing changed.
    #[error("the decision could not be stored")]
    WriteFailed,
}

/// Submits a decision to the postback writer and waits until it is committed — the one way the
/// admin API and the dashboard apply decisions, so both publish the same live-feed event.
pub async fn submit(
    writer: &super::PostbackWriter,
    conversion_id: String,
    action: ReviewAction,
    actor: Actor,
) -> Result<Conversion, SubmitError> {
    use super::writer::{Job, JobOutput};
    match writer.submit(Job::Review { conversion_id, action, actor }).await.map_err(|_| SubmitError::WriteFailed)? {
        JobOutput::Reviewed(outcome) => Ok(outcome?),
        _ => Err(SubmitError::WriteFailed),
    }
}
