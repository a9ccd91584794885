//! Reports and conversion listings over a date range in a time zone, shared by the admin API,
//! the admin and portal screens and the CSV exports. The SQL runs on SQLite and PostgreSQL:
//! local days are computed from the offset spans `domain::report::zone` works out, so the
//! database needs no time-zone support.

use chrono_tz::Tz;
use sqlx::AnyConnection;

use super::db::Db;
use super::error::ServiceError;
use crate::domain::conversion::{Conversion, ConversionState};
use crate::domain::report::{self, zone, ConversionParams, DateRange, Earnings, GroupBy, InvalidQuery, Report, ReportParams, ReportRow};

/// Most groups a non-day report lists on screen and in JSON (the largest first).
pub const MAX_GROUPS: i64 = 1000;

/// Most groups a CSV report holds: all of them, in practice.
pub const CSV_MAX_GROUPS: i64 = 1_000_000;

/// A parsed report request.
#[derive(Debug, Clone)]
pub struct ReportQuery {
    pub group: GroupBy,
    pub tz: Tz,
    pub range: DateRange,
    pub network_id: Option<String>,
    pub publisher_id: Option<String>,
    /// Most groups listed (days are always all listed).
    pub max_groups: i64,
}

/// A parsed conversion listing request.
#[derive(Debug, Clone)]
pub struct ConversionQuery {
    pub tz: Tz,
    pub range: DateRange,
    pub network_id: Option<String>,
    pub publisher_id: Option<String>,
    pub state: Option<ConversionState>,
    pub offer: Option<String>,
    pub s1: Option<String>,
}

fn refused(err: InvalidQuery) -> ServiceError {
    ServiceError::invalid(err.field, err.message)
}

fn filled(raw: &str) -> Option<String> {
    Some(raw.trim()).filter(|v| !v.is_empty()).map(str::to_owned)
}

impl ReportQuery {
    /// Parses `params`; relative defaults are taken from `now_ms`.
    pub fn parse(params: &ReportParams, now_ms: i64) -> Result<Self, ServiceError> {
        let group = match params.group.trim() {
            "" => GroupBy::Day,
            raw => GroupBy::parse(raw).ok_or_else(|| ServiceError::invalid("group", format!("unknown grouping {raw:?}")))?,
        };
        let tz = zone::parse(&params.tz).map_err(refused)?;
        let range = DateRange::parse(&params.from, &params.to, zone::today(tz, now_ms)).map_err(refused)?;
        Ok(Self { group, tz, range, network_id: filled(&params.network), publisher_id: filled(&params.publisher), max_groups: MAX_GROUPS })
    }
}

impl ConversionQuery {
    /// Parses `params`; relative defaults are taken from `now_ms`.
    pub fn parse(params: &ConversionParams, now_ms: i64) -> Result<Self, ServiceError> {
        let tz = zone::parse(&params.tz).map_err(refused)?;
        let range = DateRange::parse(&params.from, &params.to, zone::today(tz, now_ms)).map_err(refused)?;
        let state = match params.status.trim() {
            "" => None,
            raw => Some(ConversionState::parse(raw).ok_or_else(|| ServiceError::invalid("status", format!("unknown status {raw:?}")))?),
        };
        Ok(Self {
            tz,
            range,
            network_id: filled(&params.network),
            publisher_id: filled(&params.publisher),
            state,
            offer: filled(&params.offer),
            s1: filled(&params.s1),
        })
    }
}

/// Figures every report row carries, over the inner query's `state`, `publisher_id` and
/// `amount_cents`. Payouts count what is credited to a publisher, as the overview does.
const FIGURES: &str = "COUNT(*), \
     CAST(SUM(CASE WHEN state = 'credited' THEN 1 ELSE 0 END) AS BIGINT), \
     CAST(SUM(CASE WHEN state = 'held' THEN 1 ELSE 0 END) AS BIGINT), \
     CAST(SUM(CASE WHEN state = 'reversed' THEN 1 ELSE 0 END) AS BIGINT), \
     CAST(SUM(CASE WHEN state = 'credited' AND publisher_id IS NOT NULL THEN amount_cents ELSE 0 END) AS BIGINT)";

/// The filter every report shares: `$1` start, `$2` end, `$3` network, `$4` publisher.
const WHERE: &str = "c.created_at >= $1 AND c.created_at < $2 AND ($3 = '' OR c.network_id = $3) AND ($4 = '' OR c.publisher_id = $4)";

type Figures = (i64, i64, i64, i64, i64);

/// A grouped row as selected: key, label, then the figures.
type GroupRow = (String, Option<String>, i64, i64, i64, i64, i64);

fn row(key: String, label: String, (conversions, credited, held, reversed, payout_cents): Figures) -> ReportRow {
    ReportRow { key, label, conversions, credited, held, reversed, payout_cents }
}

/// Runs the report.
pub async fn run(db: &Db, query: &ReportQuery) -> Result<Report, ServiceError> {
    let (start, end) = zone::bounds(query.tz, query.range);
    let mut conn = db.pool().acquire().await?;
    let network = query.network_id.as_deref().unwrap_or("");
    let publisher = query.publisher_id.as_deref().unwrap_or("");
    let mut truncated = false;
    let rows = match query.group {
        GroupBy::Day => {
            let spans = zone::spans(query.tz, start, end);
            // The offset in force at created_at: a CASE over the spans' starts ($5, $7, …) with
            // their offsets ($6, $8, …); the local day is then a plain integer division.
            let last = format!("${}", 5 + 2 * (spans.len() - 1));
            let offset = if spans.len() == 1 {
                last
            } else {
                let whens: String =
                    (0..spans.len() - 1).map(|i| format!(" WHEN c.created_at < ${} THEN ${}", 5 + 2 * i, 6 + 2 * i)).collect();
                format!("CASE{whens} ELSE {last} END")
            };
            let sql = format!(
                "SELECT k, {FIGURES} FROM (SELECT (c.created_at + {offset}) / 86400000 AS k, c.state, c.publisher_id, c.amount_cents \
                 FROM conversions c WHERE {WHERE}) t GROUP BY k"
            );
            let mut q = sqlx::query_as::<_, (i64, i64, i64, i64, i64, i64)>(&sql).bind(start).bind(end).bind(network).bind(publisher);
            for pair in spans.windows(2) {
                q = q.bind(pair[1].from_ms).bind(pair[0].offset_ms);
            }
            q = q.bind(spans.last().map(|s| s.offset_ms).unwrap_or(0));
            let found: Vec<(i64, ReportRow)> = q
                .fetch_all(&mut *conn)
                .await?
                .into_iter()
                .map(|(k, a, b, c, d, e)| (k, row(String::new(), String::new(), (a, b, c, d, e))))
                .collect();
            report::fill_days(query.range, &found)
        }
        group => {
            let (key, label, join) = match group {
                GroupBy::Offer => ("COALESCE(c.offer_id, c.offer_name, '')", "COALESCE(c.offer_name, c.offer_id, '')", ""),
                GroupBy::Country => ("COALESCE(c.country_code, '')", "COALESCE(c.country_code, '')", ""),
                GroupBy::Network => {
                    ("COALESCE(c.network_id, '')", "COALESCE(n.name, c.network_id, '')", " LEFT JOIN networks n ON n.id = c.network_id")
                }
                GroupBy::S1 => ("COALESCE(c.s1, '')", "COALESCE(c.s1, '')", ""),
                _ => ("COALESCE(c.s2, '')", "COALESCE(c.s2, '')", ""),
            };
            let sql = format!(
                "SELECT k, MAX(l), {FIGURES} FROM (SELECT {key} AS k, {label} AS l, c.state, c.publisher_id, c.amount_cents \
                 FROM conversions c{join} WHERE {WHERE}) t GROUP BY k ORDER BY COUNT(*) DESC, k LIMIT $5"
            );
            let found: Vec<GroupRow> = sqlx::query_as(&sql)
                .bind(start)
                .bind(end)
                .bind(network)
                .bind(publisher)
                .bind(query.max_groups.saturating_add(1))
                .fetch_all(&mut *conn)
                .await?;
            truncated = found.len() as i64 > query.max_groups;
            found
                .into_iter()
                .take(usize::try_from(query.max_groups).unwrap_or(0))
                .map(|(k, l, a, b, c, d, e)| row(k.clone(), l.filter(|l| !l.is_empty()).unwrap_or(k), (a, b, c, d, e)))
                .collect()
        }
    };
    Ok(Report {
        group: query.group,
        tz: query.tz.name().to_owned(),
        from: query.range.from.format("%Y-%m-%d").to_string(),
        to: query.range.to.format("%Y-%m-%d").to_string(),
        totals: report::totals(&rows),
        rows,
        truncated,
    })
}

/// Where a page of conversions ends: the next page starts after `(created_at, id)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub created_at: i64,
    pub id: String,
}

/// One page of the conversions matching `query`, newest first, after `cursor` (keyset paging:
/// each page is one indexed query, whatever the range holds).
pub async fn conversions_page(
    conn: &mut AnyConnection,
    query: &ConversionQuery,
    cursor: Option<&Cursor>,
    limit: i64,
) -> Result<Vec<Conversion>, sqlx::Error> {
    use super::conversions::{from_any_row, COLUMNS};
    let (start, end) = zone::bounds(query.tz, query.range);
    let sql = format!(
        "SELECT {COLUMNS} FROM conversions WHERE created_at >= $1 AND created_at < $2 \
         AND ($3 = '' OR network_id = $3) AND ($4 = '' OR publisher_id = $4) AND ($5 = '' OR state = $5) \
         AND ($6 = '' OR offer_id = $6 OR offer_name = $6) AND ($7 = '' OR s1 = $7) \
         AND ($8 = 0 OR created_at < $9 OR (created_at = $9 AND id < $10)) \
         ORDER BY created_at DESC, id DESC LIMIT $11"
    );
    let rows = sqlx::query(&sql)
        .bind(start)
        .bind(end)
        .bind(query.network_id.as_deref().unwrap_or(""))
        .bind(query.publisher_id.as_deref().unwrap_or(""))
        .bind(query.state.map(ConversionState::as_str).unwrap_or(""))
        .bind(query.offer.as_deref().unwrap_or(""))
        .bind(query.s1.as_deref().unwrap_or(""))
        .bind(i64::from(cursor.is_some()))
        .bind(cursor.map(|c| c.created_at).unwrap_or(0))
        .bind(cursor.map(|c| c.id.as_str()).unwrap_or(""))
        .bind(limit.clamp(1, 5000))
        .fetch_all(conn)
        .await?;
    rows.iter().map(from_any_row).collect()
}

/// The first `limit` conversions matching `query`, newest first (the screens' tables).
pub async fn conversions(db: &Db, query: &ConversionQuery, limit: i64) -> Result<Vec<Conversion>, ServiceError> {
    let mut conn = db.pool().acquire().await?;
    Ok(conversions_page(&mut conn, query, None, limit).await?)
}

/// A publisher's earnings: credited cents today, in the last 7 and 30 days (today included),
/// and the last 30 days by day, all in `tz`.
pub async fn earnings(db: &Db, publisher_id: &str, tz: Tz, now_ms: i64) -> Result<Earnings, ServiceError> {
    let today = zone::today(tz, now_ms);
    let range = DateRange { from: today - chrono::Duration::days(29), to: today };
    let query = ReportQuery {
        group: GroupBy::Day,
        tz,
        range,
        network_id: None,
        publisher_id: Some(publisher_id.to_owned()),
        max_groups: MAX_GROUPS,
    };
    let days = run(db, &query).await?.rows;
    let sum = |n: usize| days.iter().rev().take(n).map(|d| d.payout_cents).sum();
    Ok(Earnings { today_cents: sum(1), last_7_cents: sum(7), last_30_cents: sum(30), days })
}
