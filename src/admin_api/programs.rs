//! Programs (SPEC K): create (API key shown once), read, key rotation with an overlap window and
//! revocation, and the publishers' referral codes, coupons, assets, sources and click ids.

use app::domain::program::{HandleKind, Program, ProgramHandle};
use app::server::programs::{self, NewProgram, ProgramEdit};
use app::server::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use utoipa::ToSchema;

use super::auth::AdminCaller;
use super::networks::{ListQuery, RotateKey};
use crate::error::{ApiError, ApiJson};

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateProgram {
    pub name: String,
    /// ISO 4217 code (`USD`, `EUR`, …): the currency of conversions that send none.
    pub currency: String,
    /// Percentage of the conversion amount, 0–100 with up to 4 decimals, as a number or a string
    /// (`12.5` or `"12.5"`; read exactly, never as a float). Give this or `commission_cents`.
    #[schema(value_type = Option<String>)]
    pub commission_percent: Option<Box<RawValue>>,
    /// A fixed commission per conversion in minor units (cents).
    pub commission_cents: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedProgram {
    pub id: String,
    /// The API key for `X-Api-Key`. Shown only in this answer; TapRain keeps only its hash.
    pub api_key: String,
    pub name: String,
    pub currency: String,
    pub commission_percent: Option<String>,
    pub commission_cents: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgramList {
    pub items: Vec<Program>,
    /// Programs matching the search on all pages.
    pub total: i64,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EditProgram {
    pub name: Option<String>,
    /// `false` deactivates: the program's API keys stop authenticating (401) until it is reactivated.
    pub active: Option<bool>,
    /// A new commission rule for conversions from now on: this or `commission_cents`.
    #[schema(value_type = Option<String>)]
    pub commission_percent: Option<Box<RawValue>>,
    pub commission_cents: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RotatedApiKey {
    pub api_key: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct AddHandle {
    pub publisher_id: String,
    /// 1–255 characters, unique in the program for this kind (coupons regardless of case).
    pub code: String,
}

/// The text of a JSON number or string holding a decimal.
fn decimal_text(raw: &RawValue) -> Result<String, ApiError> {
    let text = raw.get();
    if text.starts_with('"') {
        serde_json::from_str::<String>(text).map_err(|_| ApiError::Unprocessable("commission_percent: must be a decimal number".into()))
    } else {
        Ok(text.to_owned())
    }
}

#[utoipa::path(post, path = "/api/admin/programs", request_body = CreateProgram, tag = "programs",
    responses((status = 201, body = CreatedProgram), (status = 400), (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn create(
    State(state): State<AppState>,
    caller: AdminCaller,
    ApiJson(body): ApiJson<CreateProgram>,
) -> Result<(StatusCode, Json<CreatedProgram>), ApiError> {
    let percent = body.commission_percent.as_deref().map(decimal_text).transpose()?;
    let new = NewProgram::parse(&body.name, &body.currency, percent.as_deref(), body.commission_cents)?;
    let created = programs::create(&state.db, &caller.actor, new).await?;
    let p = created.program;
    Ok((
        StatusCode::CREATED,
        Json(CreatedProgram {
            id: p.id,
            api_key: created.api_key,
            name: p.name,
            currency: p.currency,
            commission_percent: p.commission_percent,
            commission_cents: p.commission_cents,
        }),
    ))
}

#[utoipa::path(get, path = "/api/admin/programs", tag = "programs", params(ListQuery),
    responses((status = 200, body = ProgramList), (status = 401)), security(("bearer" = [])))]
pub async fn list(State(state): State<AppState>, _caller: AdminCaller, Query(q): Query<ListQuery>) -> Result<Json<ProgramList>, ApiError> {
    let page = programs::list_page(&state.db, q.search.as_deref().unwrap_or(""), q.limit.unwrap_or(100), q.offset.unwrap_or(0)).await?;
    Ok(Json(ProgramList { items: page.items, total: page.total }))
}

#[utoipa::path(patch, path = "/api/admin/programs/{id}", tag = "programs", params(("id" = String, Path)), request_body = EditProgram,
    responses((status = 200, body = Program), (status = 400), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn edit(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<EditProgram>,
) -> Result<Json<Program>, ApiError> {
    let commission_percent = body.commission_percent.as_deref().map(decimal_text).transpose()?;
    let edit = ProgramEdit { name: body.name, active: body.active, commission_percent, commission_cents: body.commission_cents };
    Ok(Json(programs::update(&state.db, &caller.actor, &id, edit).await?))
}

#[utoipa::path(get, path = "/api/admin/programs/{id}", tag = "programs", params(("id" = String, Path)),
    responses((status = 200, body = Program), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn get(State(state): State<AppState>, _caller: AdminCaller, Path(id): Path<String>) -> Result<Json<Program>, ApiError> {
    Ok(Json(programs::get(&state.db, &id).await?))
}

#[utoipa::path(post, path = "/api/admin/programs/{id}/keys/rotate", tag = "programs", params(("id" = String, Path)), request_body = RotateKey,
    responses((status = 201, body = RotatedApiKey), (status = 401), (status = 404), (status = 422)), security(("bearer" = [])))]
pub async fn rotate_key(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<RotateKey>,
) -> Result<(StatusCode, Json<RotatedApiKey>), ApiError> {
    let api_key = programs::rotate_key(&state.db, &caller.actor, &id, body.overlap_seconds).await?;
    Ok((StatusCode::CREATED, Json(RotatedApiKey { api_key })))
}

#[utoipa::path(delete, path = "/api/admin/programs/{id}/keys/{key_id}", tag = "programs",
    params(("id" = String, Path), ("key_id" = String, Path, description = "The key's id as listed in the program's `keys`")),
    responses((status = 204, description = "Revoked: the key stops at once"), (status = 401), (status = 404)), security(("bearer" = [])))]
pub async fn revoke_key(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, key_id)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    programs::revoke_key(&state.db, &caller.actor, &id, &key_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn add_handle(
    state: &AppState,
    caller: AdminCaller,
    id: &str,
    kind: HandleKind,
    body: AddHandle,
) -> Result<(StatusCode, Json<ProgramHandle>), ApiError> {
    let handle = programs::add_handle(&state.db, &caller.actor, id, kind, &body.publisher_id, &body.code).await?;
    Ok((StatusCode::CREATED, Json(handle)))
}

#[utoipa::path(delete, path = "/api/admin/programs/{id}/handles/{kind}/{code}", tag = "programs",
    params(("id" = String, Path), ("kind" = String, Path, description = "`referral_code`, `coupon`, `asset_id`, `source_id` or `click_id`"),
        ("code" = String, Path, description = "The code as added (coupons match regardless of case)")),
    responses((status = 204, description = "Removed: conversions carrying it are no longer attributed by it"), (status = 401),
        (status = 404, description = "Unknown program or code"), (status = 422, description = "Unknown kind")),
    security(("bearer" = [])))]
pub async fn remove_handle(
    State(state): State<AppState>,
    caller: AdminCaller,
    Path((id, kind, code)): Path<(String, String, String)>,
) -> Result<StatusCode, ApiError> {
    let kind = HandleKind::parse(&kind).ok_or_else(|| app::server::ServiceError::invalid("kind", "unknown kind of code"))?;
    programs::remove_handle(&state.db, &caller.actor, &id, kind, &code).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// One handler per collection, so each is its own path in the OpenAPI document.
macro_rules! handle_endpoint {
    ($name:ident, $path:literal, $kind:expr, $what:literal) => {
        #[utoipa::path(post, path = $path, tag = "programs", params(("id" = String, Path)), request_body = AddHandle,
            description = $what,
            responses((status = 201, body = ProgramHandle), (status = 400), (status = 401), (status = 404, description = "Unknown program or publisher"),
                (status = 409, description = "The code exists in this program"), (status = 422)),
            security(("bearer" = [])))]
        pub async fn $name(
            State(state): State<AppState>,
            caller: AdminCaller,
            Path(id): Path<String>,
            ApiJson(body): ApiJson<AddHandle>,
        ) -> Result<(StatusCode, Json<ProgramHandle>), ApiError> {
            add_handle(&state, caller, &id, $kind, body).await
        }
    };
}

handle_endpoint!(
    add_referral_code,
    "/api/admin/programs/{id}/referral-codes",
    HandleKind::ReferralCode,
    "Gives a publisher a referral code (`referral_code`, the `ref=` of their links)."
);
handle_endpoint!(
    add_coupon,
    "/api/admin/programs/{id}/coupons",
    HandleKind::Coupon,
    "Gives a publisher a coupon code (`coupon`; matched regardless of case)."
);
handle_endpoint!(add_asset, "/api/admin/programs/{id}/assets", HandleKind::AssetId, "Gives a publisher an asset id (`asset_id`).");
handle_endpoint!(add_source, "/api/admin/programs/{id}/sources", HandleKind::SourceId, "Gives a publisher a source id (`source_id`).");
handle_endpoint!(
    add_click,
    "/api/admin/programs/{id}/clicks",
    HandleKind::ClickId,
    "Registers a click id (`click_id`) as the publisher's."
);
