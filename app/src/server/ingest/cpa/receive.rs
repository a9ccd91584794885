//! Deciding a CPA postback (seed 000, SPEC A): HTTPS → key → source IP → fields → publisher,
//! with cached reads. Every call is logged (without the key); accepted ones go to the writer.

use std::net::IpAddr;
use std::time::Instant;

use serde_json::json;

use super::change;
use super::record::{AcceptedCpa, Cpa};
use crate::domain::catalog::ConversionState;
use crate::domain::client_addr::ClientAddr;
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::cpa::CpaPostback;
use crate::domain::replay::Replay;
use crate::server::db::Db;
use crate::server::ingest::answer::ContractAnswer;
use crate::server::ingest::directory::{Directory, NetworkKey};
use crate::server::ingest::dry_run;
use crate::server::ingest::events::EventBus;
use crate::server::ingest::log::{self, NewLogEntry};
use crate::server::ingest::refused::{log_only, log_refused, RefusedAddress};
use crate::server::ingest::store::StoreError;
use crate::server::ingest::writer::{Env, Writer};

/// The contract's answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CpaAnswer {
    Ok,
    HttpsRequired,
    Unauthorized,
    Forbidden,
    BadRequest(String),
    PublisherNotFound,
    Internal,
}

impl ContractAnswer for CpaAnswer {
    fn status(&self) -> u16 {
        match self {
            CpaAnswer::Ok => 200,
            CpaAnswer::HttpsRequired | CpaAnswer::Forbidden => 403,
            CpaAnswer::Unauthorized => 401,
            CpaAnswer::BadRequest(_) => 400,
            CpaAnswer::PublisherNotFound => 404,
            CpaAnswer::Internal => 500,
        }
    }

    fn message(&self) -> String {
        match self {
            CpaAnswer::Ok => "ok".into(),
            CpaAnswer::HttpsRequired => "HTTPS required".into(),
            CpaAnswer::Unauthorized => "Unauthorized".into(),
            CpaAnswer::Forbidden => "Forbidden".into(),
            CpaAnswer::BadRequest(message) => message.clone(),
            CpaAnswer::PublisherNotFound => "Publisher not found".into(),
            CpaAnswer::Internal => "Internal Server Error".into(),
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            CpaAnswer::Ok => "ok",
            CpaAnswer::HttpsRequired => "https_required",
            CpaAnswer::Unauthorized => "unauthorized",
            CpaAnswer::Forbidden => "forbidden",
            CpaAnswer::BadRequest(_) => "bad_request",
            CpaAnswer::PublisherNotFound => "not_found",
            CpaAnswer::Internal => "error",
        }
    }
}

/// What the pipeline needs from the application.
pub struct CpaContext<'a> {
    pub db: &'a Db,
    pub directory: &'a Directory,
    pub writer: &'a Writer,
    pub events: &'a EventBus,
    pub require_https: bool,
}

/// A refused call: the answer, the network when the key was good, a source IP to queue.
pub struct Refusal {
    pub answer: CpaAnswer,
    network_id: Option<String>,
    refused_ip: bool,
}

impl From<CpaAnswer> for Refusal {
    fn from(answer: CpaAnswer) -> Self {
        Self { answer, network_id: None, refused_ip: false }
    }
}

/// A call that passed every check: its network, whether its key is a sandbox key, the postback.
struct Decided {
    key: NetworkKey,
    postback: CpaPostback,
}

pub async fn receive(ctx: &CpaContext<'_>, client: ClientAddr, raw_query: &str) -> CpaAnswer {
    let started = Instant::now();
    let params: Vec<(String, String)> = form_urlencoded::parse(raw_query.as_bytes()).into_owned().collect();
    let mut log = NewLogEntry::new(super::SOURCE, client.ip.to_string());
    log.params = log::query_params(&params, &["key"]);
    let decided = decide(ctx, client, &params, &mut log).await;
    log.took(started);
    match decided {
        Ok(Decided { key, postback }) => {
            log.network_id = Some(key.network_id.clone());
            log.http_status = 200;
            if key.sandbox {
                return sandbox(ctx, log, &key.network_id, &postback).await;
            }
            match ctx.writer.submit::<Cpa>(AcceptedCpa { network_id: key.network_id, postback, log }).await {
                Ok(_) => CpaAnswer::Ok,
                Err(_) => CpaAnswer::Internal,
            }
        }
        Err(refusal) => {
            log.network_id = refusal.network_id.clone();
            if log.network_id.is_none() {
                log.forget_params();
            }
            refusal.answer.refuse(&mut log);
            let refused_ip =
                refusal.refused_ip.then(|| RefusedAddress::Network(refusal.network_id.clone().unwrap_or_default(), client.ip.to_string()));
            log_refused(ctx.writer, log, refused_ip).await;
            refusal.answer
        }
    }
}

fn internal(err: sqlx::Error) -> Refusal {
    tracing::error!(error = %err, "CPA postback lookup failed");
    Refusal::from(CpaAnswer::Internal)
}

/// HTTPS, then the key (a sandbox key marks the call's log entry), then [`judge`].
async fn decide(ctx: &CpaContext<'_>, client: ClientAddr, params: &[(String, String)], log: &mut NewLogEntry) -> Result<Decided, Refusal> {
    if ctx.require_https && !client.https {
        return Err(CpaAnswer::HttpsRequired.into());
    }
    let presented = params.iter().find(|(k, _)| k == "key").map(|(_, v)| v.as_str()).unwrap_or("");
    let key =
        ctx.directory.network_key(ctx.db, presented).await.map_err(internal)?.ok_or_else(|| Refusal::from(CpaAnswer::Unauthorized))?;
    if key.sandbox {
        log.detail("sandbox", json!(true));
    }
    let postback = judge(ctx, &key.network_id, client.ip, params).await?;
    Ok(Decided { key, postback })
}

/// Everything after the key — what a replay re-runs for a known network: the source address,
/// the fields, the publisher.
pub async fn judge(ctx: &CpaContext<'_>, network_id: &str, ip: IpAddr, params: &[(String, String)]) -> Result<CpaPostback, Refusal> {
    let with_network = |answer: CpaAnswer, refused_ip: bool| Refusal { answer, network_id: Some(network_id.to_owned()), refused_ip };
    let approved = ctx.directory.approved_ips(ctx.db, network_id).await.map_err(internal)?;
    if !approved.iter().any(|rule| rule.contains(ip)) {
        return Err(with_network(CpaAnswer::Forbidden, true));
    }
    let postback = CpaPostback::parse(params).map_err(|e| with_network(CpaAnswer::BadRequest(e.to_string()), false))?;
    if !ctx.directory.publisher_active(ctx.db, &postback.external_identifier).await.map_err(internal)? {
        return Err(with_network(CpaAnswer::PublisherNotFound, false));
    }
    Ok(postback)
}

/// Re-runs a logged CPA postback as a dry run (see [`replay`](crate::server::ingest::replay)): a
/// call whose key was good is judged again from its network on; one with a sandbox key stays a
/// sandbox call.
pub async fn replay(ctx: &CpaContext<'_>, env: &Env, entry: &PostbackLogEntry, client: ClientAddr) -> Result<Replay, StoreError> {
    let Some(network_id) = entry.network_id.clone().filter(|_| dry_run::has_params(entry)) else {
        return Ok(dry_run::unreplayable(entry));
    };
    match judge(ctx, &network_id, client.ip, &dry_run::logged_pairs(entry)).await {
        Err(refusal) => Ok(dry_run::refused(&refusal.answer)),
        Ok(_) if dry_run::was_sandbox(entry) => Ok(dry_run::sandbox()),
        Ok(postback) => {
            let mut log = dry_run::accepted_log(entry, super::SOURCE);
            log.network_id = Some(network_id.clone());
            dry_run::write::<Cpa>(ctx.db, env, AcceptedCpa { network_id, postback, log }).await
        }
    }
}

/// A call with a sandbox key: answered `ok` like any accepted call, logged with outcome
/// `sandbox`, shown in the live feed with its badge — nothing credited, nothing relayed.
async fn sandbox(ctx: &CpaContext<'_>, mut log: NewLogEntry, network_id: &str, postback: &CpaPostback) -> CpaAnswer {
    log.outcome = "sandbox";
    log.reason = "sandbox key: checked and answered, nothing credited or relayed".into();
    log_only(ctx.writer, log).await;
    ctx.events.publish("sandbox", change::draft(network_id, postback, ConversionState::Pending, None));
    CpaAnswer::Ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_never_reaches_the_log() {
        let params = vec![("key".to_string(), "trk_secret".to_string()), ("amount".into(), "350".into()), ("amount".into(), "1".into())];
        let logged = log::query_params(&params, &["key"]);
        assert_eq!(logged, serde_json::json!({ "amount": "350" }));
        assert!(!logged.to_string().contains("trk_secret"));
    }

    #[test]
    fn answers_follow_the_contract() {
        assert_eq!((CpaAnswer::Ok.status(), CpaAnswer::Ok.message().as_str()), (200, "ok"));
        assert_eq!((CpaAnswer::Unauthorized.status(), CpaAnswer::Unauthorized.message().as_str()), (401, "Unauthorized"));
        assert_eq!((CpaAnswer::Forbidden.status(), CpaAnswer::Forbidden.message().as_str()), (403, "Forbidden"));
        assert_eq!(CpaAnswer::PublisherNotFound.status(), 404);
        assert_eq!(CpaAnswer::Internal.message(), "Internal Server Error");
    }
}
