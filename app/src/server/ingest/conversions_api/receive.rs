//! Deciding a conversions-API call (seed 001, SPEC D): HTTPS → `X-Api-Key` → body → fields →
//! attribution, then (in the writer) idempotency and credit. Every call is logged without the key.

use std::time::Instant;

use serde_json::Value;

use super::record::{AcceptedConversion, AcceptedCustomer, ConversionAnswer, CustomerAnswer, ProgramJob, ProgramRecorded, Programs};
use super::SOURCE;
use crate::domain::client_addr::ClientAddr;
use crate::domain::conversion::PostbackLogEntry;
use crate::domain::program::call::{fields_from_json, ConversionCall, CustomerCall, FieldError, Fields, Input};
use crate::domain::program::MAX_COMMISSION_MINOR;
use crate::domain::replay::Replay;
use crate::server::db::Db;
use crate::server::ingest::answer::ContractAnswer;
use crate::server::ingest::directory::Directory;
use crate::server::ingest::dry_run;
use crate::server::ingest::log::NewLogEntry;
use crate::server::ingest::refused::log_refused;
use crate::server::ingest::store::StoreError;
use crate::server::ingest::writer::{Env, Writer};
use crate::server::programs::attribution::{self, Attribution, Terms};

/// The contract's answers.
#[derive(Debug, Clone, PartialEq)]
pub enum ApiAnswer {
    /// 201: a new conversion, or the original answer to the same call again.
    Conversion(Box<ConversionAnswer>),
    /// 201: a new customer, or the same customer call again.
    Customer(CustomerAnswer),
    HttpsRequired,
    Unauthorized,
    /// Broken JSON, a wrong content type, an unreadable query string.
    BadRequest(String),
    /// A field is missing or wrong; the message starts with its name.
    Invalid(FieldError),
    /// The external id (customer id) belongs to a different call.
    Conflict(&'static str),
    Internal,
}

impl ContractAnswer for ApiAnswer {
    fn status(&self) -> u16 {
        match self {
            ApiAnswer::Conversion(_) | ApiAnswer::Customer(_) => 201,
            ApiAnswer::HttpsRequired => 403,
            ApiAnswer::Unauthorized => 401,
            ApiAnswer::BadRequest(_) => 400,
            ApiAnswer::Invalid(_) => 422,
            ApiAnswer::Conflict(_) => 409,
            ApiAnswer::Internal => 500,
        }
    }

    fn message(&self) -> String {
        match self {
            ApiAnswer::Conversion(_) | ApiAnswer::Customer(_) => "ok".into(),
            ApiAnswer::HttpsRequired => "HTTPS required".into(),
            ApiAnswer::Unauthorized => "Unauthorized".into(),
            ApiAnswer::BadRequest(message) => message.clone(),
            ApiAnswer::Invalid(err) => err.to_string(),
            ApiAnswer::Conflict(message) => (*message).into(),
            ApiAnswer::Internal => "Internal Server Error".into(),
        }
    }

    fn outcome(&self) -> &'static str {
        match self {
            ApiAnswer::Conversion(_) | ApiAnswer::Customer(_) => "ok",
            ApiAnswer::HttpsRequired => "https_required",
            ApiAnswer::Unauthorized => "unauthorized",
            ApiAnswer::BadRequest(_) | ApiAnswer::Invalid(_) => "bad_request",
            ApiAnswer::Conflict(_) => "conflict",
            ApiAnswer::Internal => "error",
        }
    }
}

/// What the pipeline needs from the application.
pub struct ApiContext<'a> {
    pub db: &'a Db,
    pub directory: &'a Directory,
    pub writer: &'a Writer,
    pub require_https: bool,
}

/// One call as the HTTP layer hands it over.
pub struct ApiRequest<'a> {
    pub client: ClientAddr,
    /// The `X-Api-Key` header.
    pub api_key: Option<&'a str>,
    /// The fields, or why the body or query string could not be read (a 400).
    pub fields: Result<Fields, String>,
}

pub async fn conversion(ctx: &ApiContext<'_>, request: ApiRequest<'_>) -> ApiAnswer {
    let started = Instant::now();
    let mut log = new_log(&request);
    match decide_conversion(ctx, &request, &mut log).await {
        Ok(mut accepted) => {
            accepted.log = accepted_log(log, started);
            match ctx.writer.submit::<Programs>(ProgramJob::Conversion(Box::new(accepted))).await {
                Ok(recorded) => answer_of(recorded),
                Err(_) => ApiAnswer::Internal,
            }
        }
        Err(answer) => refuse(ctx, log, started, answer).await,
    }
}

pub async fn customer(ctx: &ApiContext<'_>, request: ApiRequest<'_>) -> ApiAnswer {
    let started = Instant::now();
    let mut log = new_log(&request);
    log.detail("call", Value::String("customer".into()));
    match decide_customer(ctx, &request, &mut log).await {
        Ok(mut accepted) => {
            accepted.log = accepted_log(log, started);
            match ctx.writer.submit::<Programs>(ProgramJob::Customer(Box::new(accepted))).await {
                Ok(recorded) => answer_of(recorded),
                Err(_) => ApiAnswer::Internal,
            }
        }
        Err(answer) => refuse(ctx, log, started, answer).await,
    }
}

fn new_log(request: &ApiRequest<'_>) -> NewLogEntry {
    let mut log = NewLogEntry::new(SOURCE, request.client.ip.to_string());
    if let Ok(fields) = &request.fields {
        log.params = params_for_log(fields);
    }
    log
}

fn accepted_log(mut log: NewLogEntry, started: Instant) -> NewLogEntry {
    log.took(started);
    (log.outcome, log.http_status) = ("ok", 201);
    log
}

fn answer_of(recorded: ProgramRecorded) -> ApiAnswer {
    match recorded {
        ProgramRecorded::Created(answer, _) | ProgramRecorded::Replayed(answer) => ApiAnswer::Conversion(answer),
        ProgramRecorded::Customer(answer) => ApiAnswer::Customer(answer),
        ProgramRecorded::Conflict(message) => ApiAnswer::Conflict(message),
    }
}

async fn refuse(ctx: &ApiContext<'_>, mut log: NewLogEntry, started: Instant, answer: ApiAnswer) -> ApiAnswer {
    log.took(started);
    if matches!(answer, ApiAnswer::Unauthorized | ApiAnswer::HttpsRequired) {
        log.forget_params();
    }
    answer.refuse(&mut log);
    log_refused(ctx.writer, log, None).await;
    answer
}

fn internal(err: sqlx::Error) -> ApiAnswer {
    tracing::error!(error = %err, "conversions API lookup failed");
    ApiAnswer::Internal
}

/// HTTPS, then the key: the program's terms (cached).
async fn authenticate(ctx: &ApiContext<'_>, request: &ApiRequest<'_>, log: &mut NewLogEntry) -> Result<Terms, ApiAnswer> {
    if ctx.require_https && !request.client.https {
        return Err(ApiAnswer::HttpsRequired);
    }
    let key = request.api_key.map(str::trim).unwrap_or("");
    let terms = ctx.directory.program_for_key(ctx.db, key).await.map_err(internal)?.ok_or(ApiAnswer::Unauthorized)?;
    log.program_id = Some(terms.id.clone());
    if let Value::Object(params) = &mut log.params {
        params.insert("program_id".into(), Value::String(terms.id.clone()));
    }
    Ok(terms)
}

async fn decide_conversion(ctx: &ApiContext<'_>, request: &ApiRequest<'_>, log: &mut NewLogEntry) -> Result<AcceptedConversion, ApiAnswer> {
    let terms = authenticate(ctx, request, log).await?;
    let fields = request.fields.as_ref().map_err(|message| ApiAnswer::BadRequest(message.clone()))?;
    judge_conversion(ctx, terms, fields, log).await
}

/// A conversion call after its key — what a replay re-runs: fields → currency → attribution →
/// commission.
pub async fn judge_conversion(
    ctx: &ApiContext<'_>,
    terms: Terms,
    fields: &Fields,
    log: &NewLogEntry,
) -> Result<AcceptedConversion, ApiAnswer> {
    let call = ConversionCall::parse(fields).map_err(ApiAnswer::Invalid)?;
    let currency = call.currency_for(terms.currency).map_err(ApiAnswer::Invalid)?;
    let mut conn = ctx.db.pool().acquire().await.map_err(internal)?;
    let customer = match call.customer_id.as_deref() {
        Some(id) => attribution::customer(&mut conn, &terms.id, id).await.map_err(internal)?,
        None => None,
    };
    let attribution: Attribution = attribution::resolve(&mut conn, &terms.id, &call.handles, customer.as_ref())
        .await
        .map_err(internal)?
        .map_err(ApiAnswer::Invalid)?;
    let commission = terms.rule.commission(call.amount.as_ref(), currency.minor_digits());
    if commission > MAX_COMMISSION_MINOR {
        return Err(ApiAnswer::Invalid(FieldError {
            field: "amount",
            message: format!("the commission would exceed {MAX_COMMISSION_MINOR} minor units"),
        }));
    }
    Ok(AcceptedConversion {
        program_id: terms.id,
        fingerprint: call.fingerprint(currency),
        new_customer: call.customer_id.is_some() && customer.is_none(),
        call,
        currency,
        commission,
        attribution,
        log: log.clone(),
    })
}

async fn decide_customer(ctx: &ApiContext<'_>, request: &ApiRequest<'_>, log: &mut NewLogEntry) -> Result<AcceptedCustomer, ApiAnswer> {
    let terms = authenticate(ctx, request, log).await?;
    let fields = request.fields.as_ref().map_err(|message| ApiAnswer::BadRequest(message.clone()))?;
    judge_customer(ctx, terms, fields, log).await
}

/// A customers call after its key — what a replay re-runs: fields → attribution.
pub async fn judge_customer(ctx: &ApiContext<'_>, terms: Terms, fields: &Fields, log: &NewLogEntry) -> Result<AcceptedCustomer, ApiAnswer> {
    let call = CustomerCall::parse(fields).map_err(ApiAnswer::Invalid)?;
    let mut conn = ctx.db.pool().acquire().await.map_err(internal)?;
    let attribution =
        attribution::resolve(&mut conn, &terms.id, &call.handles, None).await.map_err(internal)?.map_err(ApiAnswer::Invalid)?;
    Ok(AcceptedCustomer { program_id: terms.id, call, attribution, log: log.clone() })
}

/// Re-runs a logged conversions-API call as a dry run (see
/// [`replay`](crate::server::ingest::replay)) with its program's terms of today.
pub async fn replay(ctx: &ApiContext<'_>, env: &Env, entry: &PostbackLogEntry, _client: ClientAddr) -> Result<Replay, StoreError> {
    let mut params = entry.params.clone();
    let program_id = params
        .as_object_mut()
        .and_then(|p| p.remove("program_id"))
        .and_then(|id| id.as_str().map(str::to_owned))
        .or_else(|| entry.program_id.clone());
    let Some(program_id) = program_id else {
        return Ok(dry_run::unreplayable(entry));
    };
    let Some(terms) = attribution::terms(&mut *ctx.db.pool().acquire().await?, &program_id).await? else {
        return Ok(dry_run::refused(&ApiAnswer::Unauthorized));
    };
    let fields = fields_from_json(params.to_string().as_bytes()).map_err(|_| StoreError::Decode("logged fields are not an object"))?;
    let called = entry.details.as_ref().and_then(|d| d.get("call")).and_then(Value::as_str);
    let customer = called == Some("customer") || (called.is_none() && params.get("external_id").is_none());
    let mut log = dry_run::accepted_log(entry, SOURCE);
    log.http_status = 201;
    let job = if customer {
        judge_customer(ctx, terms, &fields, &log).await.map(|accepted| ProgramJob::Customer(Box::new(accepted)))
    } else {
        judge_conversion(ctx, terms, &fields, &log).await.map(|accepted| ProgramJob::Conversion(Box::new(accepted)))
    };
    match job {
        Ok(job) => dry_run::write::<Programs>(ctx.db, env, job).await,
        Err(answer) => Ok(dry_run::refused(&answer)),
    }
}

/// The fields as logged: values capped, objects as they came (they are the caller's own data).
fn params_for_log(fields: &Fields) -> Value {
    let cap = |s: &str| s.chars().filter(|c| !c.is_control()).take(512).collect::<String>();
    let map = fields
        .iter()
        .take(32)
        .map(|(name, input)| {
            let value = match input {
                Input::Text(s) | Input::Number(s) => Value::String(cap(s)),
                Input::Object(map) => Value::Object(map.clone()),
                Input::Other => Value::Null,
            };
            (cap(name), value)
        })
        .collect();
    Value::Object(map)
}
