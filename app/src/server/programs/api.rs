//! The conversions and customers API (seed 001, SPEC D): HTTPS → `X-Api-Key` → body → fields
//! → attribution → (in the writer) idempotency and credit. Every call is logged without the key.

use std::time::Instant;

use serde_json::Value;

use super::attribution::{self, Attribution, Terms};
use super::record::{AcceptedConversion, AcceptedCustomer, ConversionAnswer, CustomerAnswer, ProgramJob, ProgramRecorded, SOURCE};
use crate::domain::client_addr::ClientAddr;
use crate::domain::program::call::{ConversionCall, CustomerCall, FieldError, Fields, Input};
use crate::domain::program::MAX_COMMISSION_MINOR;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::keys::PROGRAM_KEYS;
use crate::server::postback::log::NewLogEntry;
use crate::server::postback::writer::{Job, JobOutput, PostbackWriter};

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

impl ApiAnswer {
    pub fn status(&self) -> u16 {
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

    pub fn message(&self) -> String {
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
    pub writer: &'a PostbackWriter,
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
    let decided = decide_conversion(ctx, &request, &mut log).await;
    finish(ctx, log, started, decided.map(ProgramJob::Conversion)).await
}

pub async fn customer(ctx: &ApiContext<'_>, request: ApiRequest<'_>) -> ApiAnswer {
    let started = Instant::now();
    let mut log = new_log(&request);
    let decided = decide_customer(ctx, &request, &mut log).await;
    finish(ctx, log, started, decided.map(ProgramJob::Customer)).await
}

fn new_log(request: &ApiRequest<'_>) -> NewLogEntry {
    NewLogEntry {
        received_at: now_ms(),
        source: SOURCE,
        network_id: None,
        source_ip: request.client.ip.to_string(),
        outcome: "",
        http_status: 0,
        reason: String::new(),
        latency_us: 0,
        params: request.fields.as_ref().map(params_for_log).unwrap_or_else(|_| Value::Object(serde_json::Map::new())),
    }
}

/// Writes the accepted call (or logs the refused one) and turns the outcome into the answer.
async fn finish(ctx: &ApiContext<'_>, mut log: NewLogEntry, started: Instant, decided: Result<ProgramJob, ApiAnswer>) -> ApiAnswer {
    log.latency_us = i64::try_from(started.elapsed().as_micros()).unwrap_or(i64::MAX);
    match decided {
        Ok(mut job) => {
            let entry = match &mut job {
                ProgramJob::Conversion(a) => &mut a.log,
                ProgramJob::Customer(a) => &mut a.log,
            };
            (entry.outcome, entry.http_status, entry.latency_us) = ("ok", 201, log.latency_us);
            match ctx.writer.submit(Job::Program(Box::new(job))).await {
                Ok(JobOutput::Program(ProgramRecorded::Created(answer, _) | ProgramRecorded::Replayed(answer))) => {
                    ApiAnswer::Conversion(answer)
                }
                Ok(JobOutput::Program(ProgramRecorded::Customer(answer))) => ApiAnswer::Customer(answer),
                Ok(JobOutput::Program(ProgramRecorded::Conflict(message))) => ApiAnswer::Conflict(message),
                _ => ApiAnswer::Internal,
            }
        }
        Err(answer) => {
            log.http_status = answer.status();
            log.outcome = answer.outcome();
            log.reason = answer.message();
            if let Err(err) = ctx.writer.submit(Job::Refused { log, refused_ip: None }).await {
                tracing::warn!(error = %err, "a refused conversions API call could not be logged");
            }
            answer
        }
    }
}

fn internal(err: sqlx::Error) -> ApiAnswer {
    tracing::error!(error = %err, "conversions API lookup failed");
    ApiAnswer::Internal
}

/// HTTPS, then the key: the program's terms.
async fn authenticate(ctx: &ApiContext<'_>, request: &ApiRequest<'_>, log: &mut NewLogEntry) -> Result<Terms, ApiAnswer> {
    if ctx.require_https && !request.client.https {
        return Err(ApiAnswer::HttpsRequired);
    }
    let key = request.api_key.map(str::trim).unwrap_or("");
    let mut conn = ctx.db.pool().acquire().await.map_err(internal)?;
    let program_id = PROGRAM_KEYS.authenticate(&mut conn, key).await.map_err(internal)?.ok_or(ApiAnswer::Unauthorized)?;
    if let Value::Object(params) = &mut log.params {
        params.insert("program_id".into(), Value::String(program_id.clone()));
    }
    attribution::terms(&mut conn, &program_id).await.map_err(internal)?.ok_or(ApiAnswer::Unauthorized)
}

async fn decide_conversion(ctx: &ApiContext<'_>, request: &ApiRequest<'_>, log: &mut NewLogEntry) -> Result<AcceptedConversion, ApiAnswer> {
    let terms = authenticate(ctx, request, log).await?;
    let fields = request.fields.as_ref().map_err(|message| ApiAnswer::BadRequest(message.clone()))?;
    let call = ConversionCall::parse(fields).map_err(ApiAnswer::Invalid)?;
    let currency = call.currency.unwrap_or(terms.currency);
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
    let call = CustomerCall::parse(fields).map_err(ApiAnswer::Invalid)?;
    let mut conn = ctx.db.pool().acquire().await.map_err(internal)?;
    let attribution =
        attribution::resolve(&mut conn, &terms.id, &call.handles, None).await.map_err(internal)?.map_err(ApiAnswer::Invalid)?;
    Ok(AcceptedCustomer { program_id: terms.id, call, attribution, log: log.clone() })
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
