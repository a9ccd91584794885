//! CSV exports that stream: rows are read a page at a time (keyset paging) and written to the
//! response as each page arrives, so a long range neither waits for the whole result nor holds
//! it in memory. Cells go through the `csv` crate (quoting) and `spreadsheet_safe` (formula
//! injection).

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::Response;
use futures::stream::{self, Stream, StreamExt};

use super::db::Db;
use super::reports::{conversions_page, ConversionQuery, Cursor};
use crate::domain::conversion::Conversion;
use crate::domain::money::format_usd;
use crate::domain::report::{spreadsheet_safe, zone, Report, ReportRow};

/// Conversions per page read from the database.
pub const PAGE: i64 = 1000;

/// Who reads the export: publishers do not see networks, end-user IPs or quality reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Audience {
    Admin,
    Publisher,
}

fn record<I, S>(cells: I) -> Vec<u8>
where
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut writer = csv::WriterBuilder::new().from_writer(Vec::with_capacity(256));
    let cells: Vec<String> = cells.into_iter().map(|c| spreadsheet_safe(c.as_ref()).into_owned()).collect();
    // Writing into a Vec cannot fail.
    let _ = writer.write_record(&cells);
    writer.into_inner().unwrap_or_default()
}

fn conversion_header(audience: Audience) -> Vec<u8> {
    match audience {
        Audience::Admin => record([
            "id",
            "time",
            "status",
            "source",
            "network_id",
            "publisher_id",
            "offer_id",
            "offer_name",
            "country",
            "s1",
            "s2",
            "payout",
            "payout_cents",
            "click_id",
            "lead_id",
            "ip",
            "reasons",
        ]),
        Audience::Publisher => {
            record(["id", "time", "status", "offer_id", "offer_name", "country", "s1", "s2", "payout", "payout_cents", "click_id"])
        }
    }
}

fn conversion_record(c: &Conversion, audience: Audience, tz: chrono_tz::Tz) -> Vec<u8> {
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    let time = zone::local_time(tz, c.created_at);
    match audience {
        Audience::Admin => record([
            c.id.clone(),
            time,
            c.state.as_str().to_owned(),
            c.source.clone(),
            text(&c.network_id),
            text(&c.publisher_id),
            text(&c.offer_id),
            text(&c.offer_name),
            text(&c.country_code),
            text(&c.s1),
            text(&c.s2),
            format_usd(c.amount_cents),
            c.amount_cents.to_string(),
            text(&c.click_id),
            text(&c.lead_id),
            text(&c.ip),
            c.reasons.join(" "),
        ]),
        Audience::Publisher => record([
            c.id.clone(),
            time,
            c.state.as_str().to_owned(),
            text(&c.offer_id),
            text(&c.offer_name),
            text(&c.country_code),
            text(&c.s1),
            text(&c.s2),
            format_usd(c.amount_cents),
            c.amount_cents.to_string(),
            text(&c.click_id),
        ]),
    }
}

enum Next {
    Header,
    Page(Option<Cursor>),
    Done,
}

/// The conversions matching `query` as CSV (header first, newest first), one chunk per page.
/// A database error mid-way ends the body with an error, so the client sees a broken download
/// rather than a silently short file.
pub fn conversions_csv(
    db: Db,
    query: ConversionQuery,
    audience: Audience,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    stream::unfold(Next::Header, move |next| {
        let db = db.clone();
        let query = query.clone();
        async move {
            match next {
                Next::Header => Some((Ok(Bytes::from(conversion_header(audience))), Next::Page(None))),
                Next::Done => None,
                Next::Page(cursor) => {
                    let page = match db.pool().acquire().await {
                        Ok(mut conn) => conversions_page(&mut conn, &query, cursor.as_ref(), PAGE).await,
                        Err(err) => Err(err),
                    };
                    match page {
                        Ok(rows) if rows.is_empty() => None,
                        Ok(rows) => {
                            let mut chunk = Vec::with_capacity(rows.len() * 160);
                            rows.iter().for_each(|c| chunk.extend(conversion_record(c, audience, query.tz)));
                            let last = rows.last().map(|c| Cursor { created_at: c.created_at, id: c.id.clone() });
                            let more = rows.len() as i64 == PAGE;
                            Some((Ok(Bytes::from(chunk)), if more { Next::Page(last) } else { Next::Done }))
                        }
                        Err(err) => {
                            tracing::error!(error = %err, "CSV export stopped");
                            Some((Err(std::io::Error::other("export failed")), Next::Done))
                        }
                    }
                }
            }
        }
    })
}

fn report_record(row: &ReportRow) -> Vec<u8> {
    record([
        row.key.clone(),
        row.label.clone(),
        row.conversions.to_string(),
        row.credited.to_string(),
        row.held.to_string(),
        row.reversed.to_string(),
        format_usd(row.payout_cents),
        row.payout_cents.to_string(),
    ])
}

/// A report as CSV, written in chunks of rows. The aggregation itself happens in the database
/// before the first byte; its size is the number of groups, not of conversions.
pub fn report_csv(report: Report) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static {
    let header = record([report.group.as_str(), "label", "conversions", "credited", "held", "reversed", "payout", "payout_cents"]);
    let rows: Vec<ReportRow> = report.rows;
    let chunks: Vec<Vec<ReportRow>> = rows.chunks(500).map(<[ReportRow]>::to_vec).collect();
    stream::once(async move { Ok(Bytes::from(header)) })
        .chain(stream::iter(chunks).map(|chunk| Ok(Bytes::from(chunk.iter().flat_map(report_record).collect::<Vec<u8>>()))))
}

/// A streaming CSV download named `filename`.
pub fn csv_response<S>(filename: &str, body: S) -> Response
where
    S: Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    let mut response = Response::new(Body::from_stream(body));
    *response.status_mut() = StatusCode::OK;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/csv; charset=utf-8"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Names are built from dates and fixed words only, so they are plain ASCII.
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}

/// `taprain-<what>-<from>-to-<to>.csv`.
pub fn filename(what: &str, from: &str, to: &str) -> String {
    let clean = |s: &str| s.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').collect::<String>();
    format!("taprain-{}-{}-to-{}.csv", clean(what), clean(from), clean(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_quote_and_neutralise_cells() {
        let line = String::from_utf8(record(["a,b", "say \"hi\"", "=1+1", "-5", "plain"])).unwrap_or_default();
        assert_eq!(line, "\"a,b\",\"say \"\"hi\"\"\",'=1+1,'-5,plain\n");
        let line = String::from_utf8(record(["line\nbreak"])).unwrap_or_default();
        assert_eq!(line, "\"line\nbreak\"\n");
    }

    #[test]
    fn filenames_keep_only_safe_characters() {
        assert_eq!(filename("report-day", "2025-03-01", "2025-03-31"), "taprain-report-day-2025-03-01-to-2025-03-31.csv");
        assert_eq!(filename("x\"; evil", "a/b", "c"), "taprain-xevil-ab-to-c.csv");
    }
}
