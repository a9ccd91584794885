//! Conversions as the screens and the admin API read them. Their writes (new conversions, state
//! changes, the money they move) are the ingest writer's (`ingest::conversion`, `ingest::credit`).

use sqlx::AnyConnection;

use super::db::Db;
use super::error::ServiceError;
use super::ingest::log::{self, LogFilter};
use crate::domain::catalog::{Conversion, ConversionState, PostbackLogEntry};

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    source: String,
    network_id: Option<String>,
    program_id: Option<String>,
    publisher_id: Option<String>,
    state: String,
    amount_cents: i64,
    status_raw: Option<String>,
    reasons: String,
    lead_id: Option<String>,
    click_id: Option<String>,
    offer_id: Option<String>,
    offer_name: Option<String>,
    country_code: Option<String>,
    end_user_ip: Option<String>,
    s2: Option<String>,
    s1: Option<String>,
    uid: Option<String>,
    offerwall_id: Option<String>,
    catalog_offer_id: Option<String>,
    event_at: i64,
    created_at: i64,
    updated_at: i64,
}

pub(crate) const COLUMNS: &str =
    "id, source, network_id, program_id, publisher_id, state, amount_cents, status_raw, reasons, lead_id, click_id, \
     offer_id, offer_name, country_code, end_user_ip, s2, s1, uid, offerwall_id, catalog_offer_id, event_at, created_at, updated_at";

fn to_conversion(row: Row) -> Conversion {
    Conversion {
        id: row.id,
        source: row.source,
        network_id: row.network_id,
        program_id: row.program_id,
        publisher_id: row.publisher_id,
        state: ConversionState::parse(&row.state).unwrap_or(ConversionState::Pending),
        amount_cents: row.amount_cents,
        network_status: row.status_raw,
        reasons: row.reasons.split(',').filter(|r| !r.is_empty()).map(str::to_owned).collect(),
        lead_id: row.lead_id,
        click_id: row.click_id,
        offer_id: row.offer_id,
        offer_name: row.offer_name,
        country_code: row.country_code,
        ip: row.end_user_ip,
        s2: row.s2,
        s1: row.s1,
        uid: row.uid,
        offerwall_id: row.offerwall_id,
        catalog_offer_id: row.catalog_offer_id,
        event_at: row.event_at,
        created_at: row.created_at,
        updated_at: row.updated_at,
    }
}

/// Decodes a row selected with `COLUMNS` (further columns may follow).
pub fn from_any_row(row: &sqlx::any::AnyRow) -> Result<Conversion, sqlx::Error> {
    use sqlx::FromRow;
    Ok(to_conversion(Row::from_row(row)?))
}

pub async fn get(conn: &mut AnyConnection, id: &str) -> Result<Option<Conversion>, sqlx::Error> {
    let row: Option<Row> =
        sqlx::query_as(&format!("SELECT {COLUMNS} FROM conversions WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(to_conversion))
}

/// The conversions with these ids, by id.
pub async fn get_many(conn: &mut AnyConnection, ids: &[String]) -> Result<std::collections::HashMap<String, Conversion>, sqlx::Error> {
    let mut found = std::collections::HashMap::with_capacity(ids.len());
    for chunk in super::sql::chunks(ids) {
        let sql = format!("SELECT {COLUMNS} FROM conversions WHERE id IN ({})", super::sql::list(1, chunk.len()));
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for id in chunk {
            query = query.bind(id);
        }
        for row in query.fetch_all(&mut *conn).await? {
            let conversion = to_conversion(row);
            found.insert(conversion.id.clone(), conversion);
        }
    }
    Ok(found)
}

/// Filters for listings; `None` means any.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub state: Option<ConversionState>,
    pub network_id: Option<String>,
    pub publisher_id: Option<String>,
    pub source: Option<String>,
    pub program_id: Option<String>,
    pub limit: i64,
}

/// Conversion `id` and the postback log entries of the calls that concern it (newest first, 100
/// at most).
pub async fn with_postbacks(db: &Db, id: &str) -> Result<(Conversion, Vec<PostbackLogEntry>), ServiceError> {
    let mut conn = db.pool().acquire().await?;
    let conversion = get(&mut conn, id).await?.ok_or(ServiceError::NotFound("conversion"))?;
    let postbacks = log::list(&mut conn, &LogFilter { conversion_id: Some(id.to_owned()), limit: 100, ..LogFilter::default() }).await?;
    Ok((conversion, postbacks))
}

/// Conversions matching `filter`, newest first.
pub async fn list(db: &Db, filter: &Filter) -> Result<Vec<Conversion>, ServiceError> {
    let conn = &mut *db.pool().acquire().await?;
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM conversions WHERE ($1 = '' OR state = $1) AND ($2 = '' OR network_id = $2) \
         AND ($3 = '' OR publisher_id = $3) AND ($4 = '' OR source = $4) AND ($5 = '' OR program_id = $5) \
         ORDER BY created_at DESC, id DESC LIMIT $6"
    ))
    .bind(filter.state.map(ConversionState::as_str).unwrap_or(""))
    .bind(filter.network_id.as_deref().unwrap_or(""))
    .bind(filter.publisher_id.as_deref().unwrap_or(""))
    .bind(filter.source.as_deref().unwrap_or(""))
    .bind(filter.program_id.as_deref().unwrap_or(""))
    .bind(filter.limit.clamp(1, 1000))
    .fetch_all(conn)
    .await?;
    Ok(rows.into_iter().map(to_conversion).collect())
}
