//! Reports: conversions grouped by day, offer, country, network, s1 or s2 over a date range
//! read in an IANA time zone. The types and the query parsing are shared with the browser; the
//! zone arithmetic (`zone`) is server-only because it needs the tz database.
//!
//! A report day is a local calendar day: it starts at local midnight and lasts 23, 24 or 25
//! hours around DST changes. The database cannot know the zone, so `zone` turns the range into
//! UTC bounds plus the few spans of constant UTC offset inside it; a conversion's local day is
//! then `(created_at + offset) / DAY_MS`, which SQL can compute on both backends.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub use super::stats::DAY_MS;

/// What the rows of a report are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Day,
    Offer,
    Country,
    Network,
    S1,
    S2,
}

impl GroupBy {
    pub const ALL: [GroupBy; 6] = [GroupBy::Day, GroupBy::Offer, GroupBy::Country, GroupBy::Network, GroupBy::S1, GroupBy::S2];

    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|g| g.as_str() == raw.trim().to_ascii_lowercase())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            GroupBy::Day => "day",
            GroupBy::Offer => "offer",
            GroupBy::Country => "country",
            GroupBy::Network => "network",
            GroupBy::S1 => "s1",
            GroupBy::S2 => "s2",
        }
    }

    /// The column heading people read.
    pub fn label(self) -> &'static str {
        match self {
            GroupBy::Day => "Day",
            GroupBy::Offer => "Offer",
            GroupBy::Country => "Country",
            GroupBy::Network => "Network",
            GroupBy::S1 => "s1",
            GroupBy::S2 => "s2",
        }
    }
}

/// Zones offered in the time-zone select; any other IANA name is accepted by the API too.
pub const COMMON_ZONES: [&str; 14] = [
    "UTC",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Moscow",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Sao_Paulo",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Australia/Sydney",
    "Pacific/Auckland",
];

/// Longest range a report covers, in days (three years and a leap day).
pub const MAX_RANGE_DAYS: i64 = 1096;

/// An inclusive range of calendar days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DateRange {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// Why a report query was refused, naming the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InvalidQuery {
    pub field: &'static str,
    pub message: String,
}

fn invalid(field: &'static str, message: impl Into<String>) -> InvalidQuery {
    InvalidQuery { field, message: message.into() }
}

impl DateRange {
    /// `from` and `to` as `YYYY-MM-DD`; an empty one defaults (`to` to `today`, `from` to 29
    /// days before `to`).
    pub fn parse(from: &str, to: &str, today: NaiveDate) -> Result<Self, InvalidQuery> {
        let date = |field, raw: &str| {
            NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| invalid(field, format!("{raw:?} is not a date (YYYY-MM-DD)")))
        };
        let to = if to.trim().is_empty() { today } else { date("to", to)? };
        let from = if from.trim().is_empty() { to - chrono::Duration::days(29) } else { date("from", from)? };
        if from > to {
            return Err(invalid("from", "the first day must not be after the last day"));
        }
        if (to - from).num_days() >= MAX_RANGE_DAYS {
            return Err(invalid("to", format!("a report covers at most {MAX_RANGE_DAYS} days")));
        }
        Ok(Self { from, to })
    }

    /// Every day of the range, oldest first.
    pub fn days(self) -> impl Iterator<Item = NaiveDate> {
        self.from.iter_days().take_while(move |d| *d <= self.to)
    }
}

/// The day number a local date has (days since 1970-01-01), as `zone::local_day` computes it.
pub fn day_number(date: NaiveDate) -> i64 {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    (date - epoch).num_days()
}

/// The date of a day number.
pub fn date_of(day: i64) -> NaiveDate {
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap_or_default();
    epoch + chrono::Duration::days(day)
}

/// A report as asked for: every field a string as it came from a query string or a form;
/// empty means the default (`day`, the last 30 days, UTC, everyone).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default)]
pub struct ReportParams {
    /// `day`, `offer`, `country`, `network`, `s1` or `s2`.
    pub group: String,
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: String,
    /// Last day, inclusive, `YYYY-MM-DD` (default: today in `tz`).
    pub to: String,
    /// IANA time zone the days are cut in (default `UTC`).
    pub tz: String,
    /// Network id.
    pub network: String,
    /// Publisher id.
    pub publisher: String,
}

/// A conversion listing or export as asked for (strings as they came; empty is no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
#[serde(default)]
pub struct ConversionParams {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    pub from: String,
    /// Last day, inclusive, `YYYY-MM-DD` (default: today in `tz`).
    pub to: String,
    /// IANA time zone for the days and the times written (default `UTC`).
    pub tz: String,
    /// Network id.
    pub network: String,
    /// Publisher id.
    pub publisher: String,
    /// `pending`, `credited`, `held`, `rejected`, `reversed` or `reversal_pending`.
    pub status: String,
    /// Offer id or offer name.
    pub offer: String,
    pub s1: String,
}

impl ConversionParams {
    /// The URL query string of these parameters (empty ones left out).
    pub fn query_string(&self) -> String {
        let pairs = [
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("network", &self.network),
            ("publisher", &self.publisher),
            ("status", &self.status),
            ("offer", &self.offer),
            ("s1", &self.s1),
        ];
        query_string(&pairs)
    }
}

impl ReportParams {
    /// The URL query string of these parameters (empty ones left out).
    pub fn query_string(&self) -> String {
        let pairs = [
            ("group", &self.group),
            ("from", &self.from),
            ("to", &self.to),
            ("tz", &self.tz),
            ("network", &self.network),
            ("publisher", &self.publisher),
        ];
        query_string(&pairs)
    }
}

fn query_string(pairs: &[(&str, &String)]) -> String {
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (name, value) in pairs.iter().filter(|(_, v)| !v.trim().is_empty()) {
        out.append_pair(name, value.trim());
    }
    out.finish()
}

/// One row of a report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReportRow {
    /// The group's value: `YYYY-MM-DD` for days, else the offer id, country code, network id,
    /// s1 or s2 (empty when the conversion had none).
    pub key: String,
    /// What people read for the key (an offer's or network's name; the key otherwise).
    pub label: String,
    pub conversions: i64,
    pub credited: i64,
    pub held: i64,
    pub reversed: i64,
    /// Cents credited (and not reversed) for these conversions.
    pub payout_cents: i64,
}

impl ReportRow {
    /// Adds another row's figures to this one.
    pub fn add(&mut self, other: &ReportRow) {
        self.conversions += other.conversions;
        self.credited += other.credited;
        self.held += other.held;
        self.reversed += other.reversed;
        self.payout_cents += other.payout_cents;
    }
}

/// A report as the API and the screens show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Report {
    pub group: GroupBy,
    pub tz: String,
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive), `YYYY-MM-DD`.
    pub to: String,
    pub rows: Vec<ReportRow>,
    /// The sum of the listed rows.
    pub totals: ReportRow,
    /// True when there were more groups than listed (only the largest are).
    pub truncated: bool,
}

/// Day rows `(day number, figures)` spread over every day of `range` (zero where there are
/// none), oldest first.
pub fn fill_days(range: DateRange, rows: &[(i64, ReportRow)]) -> Vec<ReportRow> {
    range
        .days()
        .map(|date| {
            let n = day_number(date);
            let key = date.format("%Y-%m-%d").to_string();
            let mut row = ReportRow { key: key.clone(), label: key, ..ReportRow::default() };
            rows.iter().filter(|(d, _)| *d == n).for_each(|(_, r)| row.add(r));
            row
        })
        .collect()
}

/// The sum of every row.
pub fn totals(rows: &[ReportRow]) -> ReportRow {
    let mut total = ReportRow { key: String::new(), label: "Total".into(), ..ReportRow::default() };
    rows.iter().for_each(|r| total.add(r));
    total
}

/// A cell that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, and the tab / carriage
/// return that some programs strip first) gets a leading `'`, so it stays text.
pub fn spreadsheet_safe(cell: &str) -> std::borrow::Cow<'_, str> {
    match cell.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => std::borrow::Cow::Owned(format!("'{cell}")),
        _ => std::borrow::Cow::Borrowed(cell),
    }
}

/// A conversion as its publisher sees it (no network, end-user IP or quality reasons).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublisherConversion {
    pub id: String,
    pub created_at: i64,
    /// `created_at` as people read it, in the listing's time zone.
    pub time: String,
    pub state: super::catalog::ConversionState,
    pub offer_id: Option<String>,
    pub offer_name: Option<String>,
    pub country_code: Option<String>,
    pub s1: Option<String>,
    pub s2: Option<String>,
    pub payout_cents: i64,
}

impl From<&super::catalog::Conversion> for PublisherConversion {
    fn from(c: &super::catalog::Conversion) -> Self {
        Self {
            id: c.id.clone(),
            created_at: c.created_at,
            time: super::when::date_time(c.created_at),
            state: c.state,
            offer_id: c.offer_id.clone(),
            offer_name: c.offer_name.clone(),
            country_code: c.country_code.clone(),
            s1: c.s1.clone(),
            s2: c.s2.clone(),
            payout_cents: c.amount_cents,
        }
    }
}

/// A page of a publisher's conversions with the range and zone it covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConversionListing {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive), `YYYY-MM-DD`.
    pub to: String,
    pub tz: String,
    /// Newest first.
    pub rows: Vec<PublisherConversion>,
}

/// A publisher's earnings: credited cents today, in the last 7 and 30 days (today included),
/// and the last 30 days by day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Earnings {
    pub today_cents: i64,
    pub last_7_cents: i64,
    pub last_30_cents: i64,
    /// Oldest first, today last.
    pub days: Vec<ReportRow>,
}

/// Zone arithmetic with the tz database (server only).
#[cfg(feature = "ssr")]
pub mod zone;

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn group_names_round_trip() {
        for g in GroupBy::ALL {
            assert_eq!(GroupBy::parse(g.as_str()), Some(g));
        }
        assert_eq!(GroupBy::parse(" DAY "), Some(GroupBy::Day));
        assert_eq!(GroupBy::parse("week"), None);
    }

    #[test]
    fn ranges_default_validate_and_list_days() {
        let today = date("2025-03-31");
        let r = DateRange::parse("", "", today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!((r.from, r.to), (date("2025-03-02"), today));
        assert_eq!(r.days().count(), 30);
        let one = DateRange::parse("2025-01-05", "2025-01-05", today).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(one.days().collect::<Vec<_>>(), vec![date("2025-01-05")]);
        assert_eq!(DateRange::parse("2025-02-01", "2025-01-01", today).map_err(|e| e.field), Err("from"));
        assert_eq!(DateRange::parse("yesterday", "", today).map_err(|e| e.field), Err("from"));
        assert_eq!(DateRange::parse("2020-01-01", "2025-01-01", today).map_err(|e| e.field), Err("to"));
    }

    #[test]
    fn day_numbers_match_unix_days() {
        assert_eq!(day_number(date("1970-01-01")), 0);
        assert_eq!(day_number(date("2025-03-05")), 1_741_132_800_000 / DAY_MS);
        assert_eq!(date_of(day_number(date("2024-02-29"))), date("2024-02-29"));
    }

    #[test]
    fn fill_days_zero_fills_and_sums() {
        let range = DateRange { from: date("2025-03-01"), to: date("2025-03-03") };
        let row = |n| ReportRow { conversions: n, credited: n, payout_cents: n * 100, ..ReportRow::default() };
        let d2 = day_number(date("2025-03-02"));
        let filled = fill_days(range, &[(d2, row(2)), (d2, row(1)), (d2 + 5, row(9))]);
        assert_eq!(filled.iter().map(|r| r.key.as_str()).collect::<Vec<_>>(), vec!["2025-03-01", "2025-03-02", "2025-03-03"]);
        assert_eq!(filled.iter().map(|r| r.conversions).collect::<Vec<_>>(), vec![0, 3, 0]);
        assert_eq!(totals(&filled).payout_cents, 300);
    }

    #[test]
    fn query_strings_leave_out_empty_fields_and_encode() {
        let p = ConversionParams { tz: "Europe/Berlin".into(), s1: "a&b".into(), ..ConversionParams::default() };
        assert_eq!(p.query_string(), "tz=Europe%2FBerlin&s1=a%26b");
        assert_eq!(ReportParams { group: "day".into(), ..ReportParams::default() }.query_string(), "group=day");
    }

    #[test]
    fn formula_cells_are_neutralised() {
        assert_eq!(spreadsheet_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(spreadsheet_safe("+1"), "'+1");
        assert_eq!(spreadsheet_safe("-2"), "'-2");
        assert_eq!(spreadsheet_safe("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(spreadsheet_safe("\tx"), "'\tx");
        assert_eq!(spreadsheet_safe("plain"), "plain");
        assert_eq!(spreadsheet_safe(""), "");
    }
}
