//! An admin's decision on a conversion: approve or reject a held one, reverse a credited one.
//! Written by the writer like postbacks, so a decision and a postback never race.

use async_trait::async_trait;

use super::conversion;
use super::credit;
use super::store::{args, StoreError, WriteTx};
use super::writer::{Env, Source, Writer};
use crate::domain::catalog::{Conversion, ConversionState};
use crate::server::audit::Actor;
use crate::server::clock::now_ms;

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

/// A decision to write.
#[derive(Debug, Clone)]
pub struct Decision {
    pub conversion_id: String,
    pub action: ReviewAction,
    pub actor: Actor,
}

/// The writer's source for admin decisions.
pub struct Review;

#[async_trait]
impl Source for Review {
    type Item = Decision;
    type Output = Result<Conversion, ReviewRefusal>;

    async fn write(tx: &mut dyn WriteTx, _env: &Env, items: &[Decision]) -> Result<Vec<Self::Output>, StoreError> {
        let mut outputs = Vec::with_capacity(items.len());
        for decision in items {
            outputs.push(apply(tx, decision).await?);
        }
        Ok(outputs)
    }

    fn committed(env: &Env, output: &Self::Output) {
        if let Ok(conversion) = output {
            env.events.publish("updated", conversion.clone());
            env.deliveries.wake();
        }
    }
}

async fn apply(tx: &mut dyn WriteTx, decision: &Decision) -> Result<Result<Conversion, ReviewRefusal>, StoreError> {
    let Decision { conversion_id: id, action, actor } = decision;
    let Some(found) = conversion::get(tx, id).await? else { return Ok(Err(ReviewRefusal::NotFound)) };
    let (from, to) = action.transition();
    if found.state != from {
        return Ok(Err(ReviewRefusal::WrongState { action: action.as_str(), state: found.state.as_str() }));
    }
    match action {
        ReviewAction::Approve => {
            credit::post_credit(tx, &found).await?;
        }
        ReviewAction::Reverse => {
            credit::post_reversal(tx, &found).await?;
        }
        ReviewAction::Reject => {}
    }
    conversion::transition(tx, id, from, to, None).await?;
    let details = serde_json::json!({ "from": from.as_str(), "to": to.as_str(), "amount_cents": found.amount_cents });
    tx.execute(
        "INSERT INTO audit_log (at, actor, action, target, details) VALUES ($1, $2, $3, $4, $5)",
        args![now_ms(), actor.as_str(), format!("conversion.{}", action.as_str()), id.as_str(), details.to_string()],
    )
    .await?;
    Ok(Ok(conversion::reload(tx, id).await?))
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
pub async fn submit(writer: &Writer, conversion_id: String, action: ReviewAction, actor: Actor) -> Result<Conversion, SubmitError> {
    Ok(writer.submit::<Review>(Decision { conversion_id, action, actor }).await.map_err(|_| SubmitError::WriteFailed)??)
}
