//! Programs (seed 001, SPEC D): merchants' affiliate programs, their API keys (the shared key
//! machinery of [`keys`](super::keys)), and the handles publishers own inside them. The
//! conversions and customers API is an ingest source (`ingest::conversions_api`).

pub mod attribution;

use sqlx::AnyConnection;

use super::audit::{self, Actor};
use super::clock::now_ms;
use super::db::Db;
use super::error::{ServiceError, UniqueKey};
use super::keys::PROGRAM_KEYS;
use super::{publishers, secrets};
use crate::domain::currency::Currency;
use crate::domain::decimal::{format_ppm_as_percent, parse_percent_ppm};
use crate::domain::page::{self, Page};
use crate::domain::program::{self, CommissionRule, HandleKind, Program, ProgramHandle, MAX_COMMISSION_MINOR};

/// A handle is unique per program and kind.
const HANDLE_KEY: UniqueKey =
    UniqueKey { postgres: "program_handles_pkey", sqlite: "program_handles.program_id, program_handles.kind, program_handles.code" };

/// What an admin asks for; raw, parsed by [`NewProgram::parse`].
#[derive(Debug, Clone)]
pub struct NewProgram {
    pub name: String,
    pub currency: Currency,
    pub rule: CommissionRule,
}

impl NewProgram {
    /// `commission_percent` (decimal text, 0–100) or `commission_cents` (integer ≥ 0): exactly one.
    pub fn parse(name: &str, currency: &str, percent: Option<&str>, cents: Option<i64>) -> Result<Self, ServiceError> {
        let name = program::parse_name(name).map_err(|e| ServiceError::invalid("name", format!("name {e}")))?;
        let currency = program::parse_currency(currency).map_err(|e| ServiceError::invalid("currency", format!("currency {e}")))?;
        let rule = match (percent, cents) {
            (Some(raw), None) => CommissionRule::Percent {
                ppm: parse_percent_ppm(raw).map_err(|e| ServiceError::invalid("commission_percent", format!("commission_percent {e}")))?,
            },
            (None, Some(minor)) if (0..=MAX_COMMISSION_MINOR).contains(&minor) => CommissionRule::Fixed { minor },
            (None, Some(_)) => {
                return Err(ServiceError::invalid(
                    "commission_cents",
                    format!("commission_cents must be between 0 and {MAX_COMMISSION_MINOR}"),
                ))
            }
            _ => return Err(ServiceError::invalid("commission_percent", "give exactly one of commission_percent or commission_cents")),
        };
        Ok(Self { name, currency, rule })
    }
}

/// A created program and its first API key, shown once.
#[derive(Debug, Clone)]
pub struct CreatedProgram {
    pub program: Program,
    pub api_key: String,
}

pub async fn create(db: &Db, actor: &Actor, new: NewProgram) -> Result<CreatedProgram, ServiceError> {
    let _changing = db.changing();
    let id = secrets::new_id("prg");
    let now = now_ms();
    let (ppm, minor) = match new.rule {
        CommissionRule::Percent { ppm } => (Some(ppm), None),
        CommissionRule::Fixed { minor } => (None, Some(minor)),
    };
    let mut tx = db.pool().begin().await?;
    sqlx::query(
        "INSERT INTO programs (id, name, currency, commission_ppm, commission_cents, active, created_at) VALUES ($1, $2, $3, $4, $5, 1, $6)",
    )
    .bind(&id)
    .bind(&new.name)
    .bind(new.currency.as_str())
    .bind(ppm)
    .bind(minor)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let api_key = PROGRAM_KEYS.insert(&mut tx, &id, now).await?;
    let (rule, value) = new.rule.describe();
    let details = serde_json::json!({ "name": new.name, "currency": new.currency.as_str(), rule: value });
    audit::record(&mut tx, actor, "program.create", &id, details).await?;
    let program = load(&mut tx, &id).await?.ok_or(ServiceError::NotFound("program"))?;
    tx.commit().await?;
    Ok(CreatedProgram { program, api_key })
}

type ProgramRow = (String, String, String, Option<i64>, Option<i64>, i64, i64);

const SELECT: &str = "SELECT id, name, currency, commission_ppm, commission_cents, active, created_at FROM programs";

async fn load(conn: &mut AnyConnection, id: &str) -> Result<Option<Program>, sqlx::Error> {
    let row: Option<ProgramRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(&mut *conn).await?;
    let Some((id, name, currency, ppm, minor, active, created_at)) = row else { return Ok(None) };
    let handles: Vec<(String, String, String, i64)> = sqlx::query_as(
        "SELECT kind, code, publisher_id, created_at FROM program_handles WHERE program_id = $1 ORDER BY created_at, kind, code",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let keys = PROGRAM_KEYS.list(conn, &id).await?;
    let handles = handles
        .into_iter()
        .filter_map(|(kind, code, publisher_id, created_at)| {
            Some(ProgramHandle { program_id: id.clone(), kind: HandleKind::parse(&kind)?, code, publisher_id, created_at })
        })
        .collect();
    Ok(Some(Program {
        id,
        name,
        currency,
        commission_percent: ppm.map(format_ppm_as_percent),
        commission_cents: minor,
        active: active == 1,
        created_at,
        keys,
        handles,
    }))
}

pub async fn get(db: &Db, id: &str) -> Result<Program, ServiceError> {
    load(&mut *db.pool().acquire().await?, id).await?.ok_or(ServiceError::NotFound("program"))
}

/// Programs whose name or id contains `search`, newest first, a page at a time.
pub async fn list_page(db: &Db, search: &str, limit: i64, offset: i64) -> Result<Page<Program>, ServiceError> {
    let (limit, offset) = page::clamp(limit, offset);
    let mut conn = db.pool().acquire().await?;
    let (total, ids) = crate::server::sql::ids_named_like(&mut conn, "programs", search, limit, offset).await?;
    let mut items = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(program) = load(&mut conn, &id).await? {
            items.push(program);
        }
    }
    Ok(Page { items, total, offset, limit })
}

/// A change to a program; `None` leaves a field as it is. At most one of the commission fields.
#[derive(Debug, Clone, Default)]
pub struct ProgramEdit {
    pub name: Option<String>,
    pub active: Option<bool>,
    pub commission_percent: Option<String>,
    pub commission_cents: Option<i64>,
}

/// Renames a program, changes its commission rule (for conversions from now on), deactivates or
/// reactivates it. A deactivated program's API keys stop authenticating at once.
pub async fn update(db: &Db, actor: &Actor, id: &str, edit: ProgramEdit) -> Result<Program, ServiceError> {
    let _changing = db.changing();
    let name =
        edit.name.as_deref().map(|n| program::parse_name(n).map_err(|e| ServiceError::invalid("name", format!("name {e}")))).transpose()?;
    let rule = match (edit.commission_percent.as_deref(), edit.commission_cents) {
        (None, None) => None,
        (percent, cents) => Some(NewProgram::parse("x", "USD", percent, cents)?.rule),
    };
    let mut tx = db.pool().begin().await?;
    let before = load(&mut tx, id).await?.ok_or(ServiceError::NotFound("program"))?;
    let mut changes = serde_json::Map::new();
    if let Some(name) = name.filter(|n| *n != before.name) {
        sqlx::query("UPDATE programs SET name = $1 WHERE id = $2").bind(&name).bind(id).execute(&mut *tx).await?;
        changes.insert("name".into(), name.into());
    }
    if let Some(rule) = rule {
        let (ppm, minor) = match rule {
            CommissionRule::Percent { ppm } => (Some(ppm), None),
            CommissionRule::Fixed { minor } => (None, Some(minor)),
        };
        sqlx::query("UPDATE programs SET commission_ppm = $1, commission_cents = $2 WHERE id = $3")
            .bind(ppm)
            .bind(minor)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let (field, value) = rule.describe();
        changes.insert(field.into(), value.into());
    }
    if let Some(active) = edit.active.filter(|a| *a != before.active) {
        sqlx::query("UPDATE programs SET active = $1 WHERE id = $2").bind(i64::from(active)).bind(id).execute(&mut *tx).await?;
        changes.insert("active".into(), active.into());
    }
    if !changes.is_empty() {
        audit::record(&mut tx, actor, "program.update", id, serde_json::Value::Object(changes)).await?;
    }
    let program = load(&mut tx, id).await?.ok_or(ServiceError::NotFound("program"))?;
    tx.commit().await?;
    Ok(program)
}

/// All programs, newest first.
pub async fn list(db: &Db) -> Result<Vec<Program>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM programs ORDER BY created_at DESC, id").fetch_all(&mut *conn).await?;
    let mut out = Vec::with_capacity(ids.len());
    for (id,) in ids {
        if let Some(program) = load(&mut conn, &id).await? {
            out.push(program);
        }
    }
    Ok(out)
}

async fn exists(conn: &mut AnyConnection, id: &str) -> Result<bool, sqlx::Error> {
    let row: Option<(String,)> = sqlx::query_as("SELECT id FROM programs WHERE id = $1").bind(id).fetch_optional(conn).await?;
    Ok(row.is_some())
}

/// Issues a new API key; the program's current keys keep working for `overlap_seconds`.
pub async fn rotate_key(db: &Db, actor: &Actor, program_id: &str, overlap_seconds: i64) -> Result<String, ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, program_id).await? {
        return Err(ServiceError::NotFound("program"));
    }
    let key = PROGRAM_KEYS.rotate(&mut tx, program_id, overlap_seconds).await?;
    audit::record(&mut tx, actor, "program.key.rotate", program_id, serde_json::json!({ "overlap_seconds": overlap_seconds })).await?;
    tx.commit().await?;
    Ok(key)
}

/// Stops one of the program's keys at once.
pub async fn revoke_key(db: &Db, actor: &Actor, program_id: &str, key_id: &str) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, program_id).await? {
        return Err(ServiceError::NotFound("program"));
    }
    if !PROGRAM_KEYS.revoke(&mut tx, program_id, key_id).await? {
        return Err(ServiceError::NotFound("key"));
    }
    audit::record(&mut tx, actor, "program.key.revoke", program_id, serde_json::json!({ "key_id": key_id })).await?;
    tx.commit().await?;
    Ok(())
}

/// Gives `publisher_id` the handle `code` of `kind` in the program. A code is unique per
/// program and kind (coupons without regard to case): a second one is a conflict.
pub async fn add_handle(
    db: &Db,
    actor: &Actor,
    program_id: &str,
    kind: HandleKind,
    publisher_id: &str,
    code: &str,
) -> Result<ProgramHandle, ServiceError> {
    let _changing = db.changing();
    let code = program::parse_code(code).map_err(|e| ServiceError::invalid("code", format!("code {e}")))?;
    let code = kind.normalize(&code);
    let mut tx = db.pool().begin().await?;
    if !exists(&mut tx, program_id).await? {
        return Err(ServiceError::NotFound("program"));
    }
    if !publishers::exists(&mut tx, publisher_id).await? {
        return Err(ServiceError::NotFound("publisher"));
    }
    let now = now_ms();
    let inserted =
        sqlx::query("INSERT INTO program_handles (program_id, kind, code, publisher_id, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(program_id)
            .bind(kind.field())
            .bind(&code)
            .bind(publisher_id)
            .bind(now)
            .execute(&mut *tx)
            .await;
    match inserted {
        Err(e) if HANDLE_KEY.violated_by(&e) => {
            return Err(ServiceError::Conflict(format!("{} {code:?} already exists in this program", kind.field())))
        }
        other => other?,
    };
    let details = serde_json::json!({ "kind": kind.field(), "code": code, "publisher_id": publisher_id });
    audit::record(&mut tx, actor, "program.handle.add", program_id, details).await?;
    tx.commit().await?;
    Ok(ProgramHandle { program_id: program_id.to_owned(), kind, code, publisher_id: publisher_id.to_owned(), created_at: now })
}

/// Takes a code, coupon, asset, source or click id away: conversions that carry it afterwards
/// are no longer attributed by it (conversions already credited keep their publisher).
pub async fn remove_handle(db: &Db, actor: &Actor, program_id: &str, kind: HandleKind, code: &str) -> Result<(), ServiceError> {
    let _changing = db.changing();
    let code = kind.normalize(code.trim());
    let mut tx = db.pool().begin().await?;
    let owner: Option<(String,)> =
        sqlx::query_as("SELECT publisher_id FROM program_handles WHERE program_id = $1 AND kind = $2 AND code = $3")
            .bind(program_id)
            .bind(kind.field())
            .bind(&code)
            .fetch_optional(&mut *tx)
            .await?;
    let Some((publisher_id,)) = owner else {
        return Err(ServiceError::NotFound(if exists(&mut tx, program_id).await? { "code" } else { "program" }));
    };
    sqlx::query("DELETE FROM program_handles WHERE program_id = $1 AND kind = $2 AND code = $3")
        .bind(program_id)
        .bind(kind.field())
        .bind(&code)
        .execute(&mut *tx)
        .await?;
    let details = serde_json::json!({ "kind": kind.field(), "code": code, "publisher_id": publisher_id });
    audit::record(&mut tx, actor, "program.handle.remove", program_id, details).await?;
    tx.commit().await?;
    Ok(())
}
