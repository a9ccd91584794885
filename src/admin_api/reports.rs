//! Reports and CSV exports: conversions grouped by day, offer, country, network, s1 or s2 over a
//! date range in a time zone, and the same filters as streamed CSV downloads. The CSV routes take
//! the admin session cookie too, so the dashboard's Export button can download them.

use app::domain::report::{ConversionParams, Report, ReportParams};
use app::server::clock::now_ms;
use app::server::exports::{self, Audience};
use app::server::reports::{self, ConversionQuery, ReportQuery};
use app::server::AppState;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::Json;

use super::auth::AdminCaller;
use crate::error::ApiError;

#[utoipa::path(get, path = "/api/admin/reports", tag = "reports", params(ReportParams),
    responses((status = 200, body = Report, description = "`rows` oldest day first (every day of the range) or largest group first (at most 1000; `truncated` says when there were more — the CSV has them all)"),
        (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn report(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(params): Query<ReportParams>,
) -> Result<Json<Report>, ApiError> {
    let query = ReportQuery::parse(&params, now_ms())?;
    Ok(Json(reports::run(&state.db, &query).await?))
}

#[utoipa::path(get, path = "/api/admin/reports.csv", tag = "reports", params(ReportParams),
    responses((status = 200, content_type = "text/csv", description = "The report's rows as a CSV attachment"), (status = 401), (status = 422)),
    security(("bearer" = [])))]
pub async fn report_csv(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(params): Query<ReportParams>,
) -> Result<Response, ApiError> {
    let query = ReportQuery { max_groups: reports::CSV_MAX_GROUPS, ..ReportQuery::parse(&params, now_ms())? };
    let report = reports::run(&state.db, &query).await?;
    let name = exports::filename(&format!("report-{}", report.group.as_str()), &report.from, &report.to);
    Ok(exports::csv_response(&name, exports::report_csv(report)))
}

#[utoipa::path(get, path = "/api/admin/conversions.csv", tag = "reports", params(ConversionParams),
    responses((status = 200, content_type = "text/csv", description = "Matching conversions, newest first, streamed page by page as a CSV attachment"),
        (status = 401), (status = 422)), security(("bearer" = [])))]
pub async fn conversions_csv(
    State(state): State<AppState>,
    _caller: AdminCaller,
    Query(params): Query<ConversionParams>,
) -> Result<Response, ApiError> {
    let query = ConversionQuery::parse(&params, now_ms())?;
    let name = exports::filename("conversions", &query.range.from.to_string(), &query.range.to.to_string());
    Ok(exports::csv_response(&name, exports::conversions_csv(state.db.clone(), query, Audience::Admin)))
}
