//! Deciding a provider's call (SPEC F): HTTPS → provider → source IP → signature → fields →
//! reward user, with cached reads; then (in the writer) duplicate → credit or reversal. Every
//! call is logged with its signed request, so it can be replayed; one refused for its signature
//! keeps the signature debugger's findings in its log entry.

use std::time::Instant;

use serde_json::json;

use super::record::{self, AcceptedCall, ProviderCalls, Step};
use super::SOURCE;
use crate::domain::catalog::ConversionState;
use crate::domain::client_addr::ClientAddr;
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::provider::door::{self, Refusal};
use crate::domain::provider::{Callback, SignedCall};
use crate::domain::replay::Replay;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::ingest::answer::ContractAnswer;
use crate::server::ingest::conversion::Recorded;
use crate::server::ingest::directory::Directory;
use crate::server::ingest::dry_run;
use crate::server::ingest::events::EventBus;
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::refused::{log_only, log_refused, RefusedAddress};
use crate::server::ingest::store::StoreError;
use crate::server::ingest::writer::{Env, Writer};

/// The contract's answers, as plain text bodies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProviderAnswer {
    /// Credited, reversed, or a reversal recorded ahead of its credit: `OK`.
    Ok,
    /// A transaction (or a reversal) seen before: `DUP`, nothing credited.
    Duplicate,
    HttpsRequired,
    /// No such provider.
    UnknownProvider,
    /// Refused by the door: a deactivated provider, an unapproved address, a wrong signature, a
    /// missing or malformed field.
    Refused(Refusal),
    /// No reward user with that id (the provider retries; nothing is lost).
    UserNotFound,
    Internal,
}

impl ContractAnswer for ProviderAnswer {
    fn status(&self) -> u16 {
        match self {
            ProviderAnswer::Ok | ProviderAnswer::Duplicate => 200,
            ProviderAnswer::HttpsRequired => 403,
            ProviderAnswer::UnknownProvider | ProviderAnswer::UserNotFound => 404,
            ProviderAnswer::Refused(refusal) => refusal.status(),
            ProviderAnswer::Internal => 500,
        }
    }

    fn message(&self) -> String {
        match self {
            ProviderAnswer::Ok => "OK".into(),
            ProviderAnswer::Duplicate => "DUP".into(),
            ProviderAnswer::HttpsRequired => "HTTPS required".into(),
            ProviderAnswer::UnknownProvider => "unknown provider".into(),
            ProviderAnswer::Refused(refusal) => refusal.body(),
            ProviderAnswer::UserNotFound => "unknown user".into(),
            ProviderAnswer::Internal => "Internal Server Error".into(),
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            ProviderAnswer::Ok => "ok",
            ProviderAnswer::Duplicate => "duplicate",
            ProviderAnswer::HttpsRequired => "https_required",
            ProviderAnswer::UnknownProvider | ProviderAnswer::UserNotFound | ProviderAnswer::Refused(Refusal::Inactive) => "not_found",
            ProviderAnswer::Refused(Refusal::IpNotApproved) => "forbidden",
            ProviderAnswer::Refused(Refusal::Signature(_)) => "invalid_signature",
            ProviderAnswer::Refused(Refusal::Field(_)) => "bad_request",
            ProviderAnswer::Internal => "error",
        }
    }
}

/// What the pipeline needs from the application.
pub struct ProviderContext<'a> {
    pub db: &'a Db,
    pub directory: &'a Directory,
    pub writer: &'a Writer,
    pub events: &'a EventBus,
    pub require_https: bool,
    /// `TAPRAIN_PUBLIC_URL`: the provider was given its postback URL under it.
    pub public_url: &'a str,
}

/// One call as the HTTP layer hands it over.
#[derive(Debug, Clone)]
pub struct ProviderRequest {
    pub client: ClientAddr,
    pub provider_id: String,
    /// The query string (`GET`) or form body (`POST`), exactly as received.
    pub raw_query: String,
    /// The URL the request reached without its query (scheme, `Host` and path as the request
    /// says), checked besides the public one in case the provider was given that address.
    pub request_base: Option<String>,
}

impl ProviderRequest {
    /// The call as logged: its parameters, and the signed request for a replay.
    fn log(&self) -> NewLogEntry {
        let mut log = NewLogEntry::new(SOURCE, self.client.ip.to_string());
        let pairs = Callback::from_query(&self.raw_query);
        log.params = log::query_params(pairs.pairs(), &[]);
        log.detail("request", json!({ "query": self.raw_query, "base": self.request_base }));
        log
    }

    /// The request a logged call made, for a replay (`None` when it was not kept).
    pub fn from_log(entry: &PostbackLogEntry, client: ClientAddr) -> Option<Self> {
        let request = entry.details.as_ref()?.get("request")?;
        Some(Self {
            client,
            provider_id: entry.provider_id.clone()?,
            raw_query: request.get("query")?.as_str()?.to_owned(),
            request_base: request.get("base").and_then(|b| b.as_str()).map(str::to_owned),
        })
    }
}

pub async fn receive(ctx: &ProviderContext<'_>, request: ProviderRequest) -> ProviderAnswer {
    let started = Instant::now();
    let mut log = request.log();
    let decided =
        if ctx.require_https && !request.client.https { Err(ProviderAnswer::HttpsRequired) } else { decide(ctx, &request, &mut log).await };
    log.took(started);
    if decided.is_ok() {
        log.http_status = 200;
    }
    match decided {
        Ok(accepted) if accepted.sandbox => sandbox(ctx, AcceptedCall { log, ..accepted }).await,
        Ok(accepted) => match ctx.writer.submit::<ProviderCalls>(AcceptedCall { log, ..accepted }).await {
            Ok(Recorded::Duplicate(_)) => ProviderAnswer::Duplicate,
            Ok(_) => ProviderAnswer::Ok,
            Err(_) => ProviderAnswer::Internal,
        },
        Err(answer) => {
            let refused_ip = refuse(&answer, &mut log, &request);
            log_refused(ctx.writer, log, refused_ip).await;
            answer
        }
    }
}

/// Writes a refusal into the call's log entry; returns the address to queue, if any. A call not
/// known to come from its provider (an unknown or deactivated provider, an unapproved address)
/// is logged without what it sent.
fn refuse(answer: &ProviderAnswer, log: &mut NewLogEntry, request: &ProviderRequest) -> Option<RefusedAddress> {
    answer.refuse(log);
    match answer {
        ProviderAnswer::UnknownProvider | ProviderAnswer::HttpsRequired | ProviderAnswer::Refused(Refusal::Inactive) => {
            log.forget_params();
            None
        }
        ProviderAnswer::Refused(Refusal::IpNotApproved) => {
            log.forget_params();
            Some(RefusedAddress::Provider(request.provider_id.clone(), request.client.ip.to_string()))
        }
        ProviderAnswer::Refused(Refusal::Signature(analysis)) => {
            log.detail("signature", serde_json::to_value(analysis).unwrap_or_default());
            None
        }
        _ => None,
    }
}

/// Everything after the HTTPS check — the part a replay re-runs: the provider's rules (cached),
/// the door's judgement against the public URL and the one the request reached, the reward user.
pub async fn decide(ctx: &ProviderContext<'_>, request: &ProviderRequest, log: &mut NewLogEntry) -> Result<AcceptedCall, ProviderAnswer> {
    let internal = |err: sqlx::Error| {
        tracing::error!(error = %err, "provider postback lookup failed");
        ProviderAnswer::Internal
    };
    let provider = ctx.directory.provider(ctx.db, &request.provider_id).await.map_err(internal)?.ok_or(ProviderAnswer::UnknownProvider)?;
    log.provider_id = Some(provider.id.clone());
    let callback = Callback::from_query(&request.raw_query);
    let public = format!("{}/api/postback/in/{}", ctx.public_url.trim_end_matches('/'), provider.id);
    let mut calls = vec![SignedCall { base: &public, raw_query: &request.raw_query, callback: &callback }];
    if let Some(base) = request.request_base.as_deref().filter(|b| *b != public) {
        calls.push(SignedCall { base, raw_query: &request.raw_query, callback: &callback });
    }
    let accepted = door::judge_any(&provider.rules(now_ms()), request.client.ip, &calls).map_err(ProviderAnswer::Refused)?;
    if !ctx.directory.reward_user_exists(ctx.db, &accepted.postback.user).await.map_err(internal)? {
        return Err(ProviderAnswer::UserNotFound);
    }
    Ok(AcceptedCall {
        provider_id: provider.id.clone(),
        postback: accepted.postback,
        coins: accepted.coins,
        sandbox: accepted.sandbox,
        log: log.clone(),
    })
}

/// Re-runs a logged call as a dry run (see [`replay`](crate::server::ingest::replay)) against the
/// provider's rules of today — its secret, approved IPs, rounding and sandbox flag.
pub async fn replay(ctx: &ProviderContext<'_>, env: &Env, entry: &PostbackLogEntry, client: ClientAddr) -> Result<Replay, StoreError> {
    let Some(request) = ProviderRequest::from_log(entry, client) else {
        return Ok(dry_run::unreplayable(entry));
    };
    let mut log = request.log();
    match decide(ctx, &request, &mut log).await {
        Err(ProviderAnswer::Refused(Refusal::Signature(analysis))) => {
            Ok(Replay::nothing("invalid_signature", format!("invalid signature: {}", analysis.explanation)))
        }
        Err(answer) => Ok(dry_run::refused(&answer)),
        Ok(call) if call.sandbox => Ok(dry_run::sandbox()),
        Ok(call) => {
            log.http_status = 200;
            dry_run::write::<ProviderCalls>(ctx.db, env, AcceptedCall { log, ..call }).await
        }
    }
}

/// A sandbox call: answered as it would be (`DUP` for a transaction already recorded), logged
/// with outcome `sandbox`, shown in the live feed with its badge — and nothing else is written.
async fn sandbox(ctx: &ProviderContext<'_>, call: AcceptedCall) -> ProviderAnswer {
    let answer = match seen(ctx.db, &call).await {
        Ok(Some(_)) => ProviderAnswer::Duplicate,
        Ok(None) => ProviderAnswer::Ok,
        Err(err) => {
            tracing::error!(error = %err, "provider sandbox lookup failed");
            return ProviderAnswer::Internal;
        }
    };
    let mut log = call.log.clone();
    (log.outcome, log.http_status) = ("sandbox", 200);
    log.reason = format!("sandbox: answered {}, nothing credited", answer.message());
    log.detail("sandbox", json!(true));
    log_only(ctx.writer, log).await;
    ctx.events.publish("sandbox", record::draft(&call, ConversionState::Pending));
    answer
}

/// The state of the transaction a call would repeat, if it would be a duplicate.
async fn seen(db: &Db, call: &AcceptedCall) -> Result<Option<ConversionState>, sqlx::Error> {
    let found: Option<(String,)> = sqlx::query_as("SELECT state FROM conversions WHERE source = $1 AND scope = $2 AND dedup_key = $3")
        .bind(SOURCE)
        .bind(&call.provider_id)
        .bind(&call.postback.transaction)
        .fetch_optional(db.pool())
        .await?;
    let state = found.and_then(|(state,)| ConversionState::parse(&state));
    Ok(state.filter(|s| record::step(call.postback.direction, Some(*s)) == Step::Duplicate))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::provider::callback::InvalidField;

    #[test]
    fn answers_follow_the_contract() {
        let said = |a: ProviderAnswer| (a.status(), a.message(), a.outcome());
        assert_eq!(said(ProviderAnswer::Ok), (200, "OK".into(), "ok"));
        assert_eq!(said(ProviderAnswer::Duplicate), (200, "DUP".into(), "duplicate"));
        assert_eq!(said(ProviderAnswer::UnknownProvider), (404, "unknown provider".into(), "not_found"));
        assert_eq!(said(ProviderAnswer::UserNotFound), (404, "unknown user".into(), "not_found"));
        assert_eq!(said(ProviderAnswer::Refused(Refusal::IpNotApproved)).0, 403);
        let field = InvalidField { field: "transid".into(), message: "is missing".into() };
        assert_eq!(said(ProviderAnswer::Refused(Refusal::Field(field))), (400, "transid: is missing".into(), "bad_request"));
        assert_eq!(said(ProviderAnswer::Internal).1, "Internal Server Error");
    }
}
