//! Zone arithmetic with the tz database (server only): where a local day starts, and the spans
//! of constant UTC offset a range holds.

use chrono::{LocalResult, NaiveDate, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;

use super::{invalid, DateRange, InvalidQuery, DAY_MS};

/// An IANA zone name (`UTC`, `Europe/Berlin`, …).
pub fn parse(raw: &str) -> Result<Tz, InvalidQuery> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(Tz::UTC);
    }
    raw.parse::<Tz>().map_err(|_| invalid("tz", format!("{raw:?} is not an IANA time zone name")))
}

/// Unix ms of the first instant of `date` in `tz`: local midnight, or — where a DST change
/// skips midnight — the first local time that exists that day.
pub fn day_start_ms(tz: Tz, date: NaiveDate) -> i64 {
    let mut minutes = 0;
    loop {
        let time = NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).unwrap_or_default();
        match tz.from_local_datetime(&date.and_time(time)) {
            LocalResult::Single(t) => return t.timestamp_millis(),
            LocalResult::Ambiguous(first, _) => return first.timestamp_millis(),
            // Inside a gap: try a quarter hour later (no zone skips more than a day).
            LocalResult::None if minutes < 24 * 60 - 15 => minutes += 15,
            LocalResult::None => return date.and_time(NaiveTime::MIN).and_utc().timestamp_millis(),
        }
    }
}

/// `[start, end)` in unix ms covering every local day of `range`.
pub fn bounds(tz: Tz, range: DateRange) -> (i64, i64) {
    (day_start_ms(tz, range.from), day_start_ms(tz, range.to + chrono::Duration::days(1)))
}

/// The UTC offset in ms at instant `ms`.
pub fn offset_ms(tz: Tz, ms: i64) -> i64 {
    match chrono::DateTime::from_timestamp_millis(ms) {
        Some(t) => i64::from(tz.offset_from_utc_datetime(&t.naive_utc()).fix().local_minus_utc()) * 1000,
        None => 0,
    }
}

/// A span of constant UTC offset: from `from_ms` (inclusive) to the next span's start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub from_ms: i64,
    pub offset_ms: i64,
}

/// The spans of constant offset covering `[start, end)`, oldest first; the first starts at
/// `start`. Changes are found hour by hour and then pinned to the second, so a zone with
/// two changes a year gives two or three spans a year.
pub fn spans(tz: Tz, start: i64, end: i64) -> Vec<Span> {
    const HOUR_MS: i64 = 3_600_000;
    let mut spans = vec![Span { from_ms: start, offset_ms: offset_ms(tz, start) }];
    let mut at = start;
    while at < end {
        let next = (at + HOUR_MS).min(end);
        let offset = offset_ms(tz, next);
        let current = spans.last().map(|s| s.offset_ms).unwrap_or_default();
        if offset != current && next < end {
            // The change lies in (at, next]: narrow it to the second it happens.
            let (mut lo, mut hi) = (at, next);
            while hi - lo > 1000 {
                let mid = lo + (hi - lo) / 2;
                if offset_ms(tz, mid) == current {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            spans.push(Span { from_ms: hi, offset_ms: offset });
        }
        at = next;
    }
    spans
}

/// The local day number (days since 1970-01-01 in the zone) of instant `ms`, given the
/// spans that cover it — the same arithmetic the report SQL does.
pub fn local_day(ms: i64, spans: &[Span]) -> i64 {
    let offset = spans.iter().take_while(|s| s.from_ms <= ms).last().or(spans.first()).map(|s| s.offset_ms).unwrap_or(0);
    (ms + offset).div_euclid(DAY_MS)
}

/// Today's date in `tz`.
pub fn today(tz: Tz, now_ms: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(now_ms).map(|t| t.with_timezone(&tz).date_naive()).unwrap_or_default()
}

/// `2025-03-05 14:03:22` in `tz`.
pub fn local_time(tz: Tz, ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms).map(|t| t.with_timezone(&tz).format("%Y-%m-%d %H:%M:%S").to_string()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::report::{day_number, DateRange, COMMON_ZONES};

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    const HOUR: i64 = 3_600_000;

    fn ms(rfc3339: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(rfc3339).map(|t| t.timestamp_millis()).unwrap_or_default()
    }

    fn tz(name: &str) -> chrono_tz::Tz {
        parse(name).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn zone_names_parse_and_unknown_ones_are_refused() {
        assert_eq!(parse("").map(|t| t.name()), Ok("UTC"));
        for name in COMMON_ZONES {
            assert!(parse(name).is_ok(), "{name}");
        }
        assert_eq!(parse("Mars/Olympus").map_err(|e| e.field), Err("tz"));
    }

    #[test]
    fn utc_days_are_plain_divisions() {
        let range = DateRange { from: date("2025-03-05"), to: date("2025-03-05") };
        assert_eq!(bounds(tz("UTC"), range), (ms("2025-03-05T00:00:00Z"), ms("2025-03-06T00:00:00Z")));
        let spans = spans(tz("UTC"), ms("2025-01-01T00:00:00Z"), ms("2026-01-01T00:00:00Z"));
        assert_eq!(spans.len(), 1);
        assert_eq!(local_day(ms("2025-03-05T23:59:59Z"), &spans), day_number(date("2025-03-05")));
    }

    #[test]
    fn spring_forward_day_has_23_hours_in_berlin() {
        // 2025-03-30: clocks go from 02:00 CET to 03:00 CEST.
        let berlin = tz("Europe/Berlin");
        let (start, end) = bounds(berlin, DateRange { from: date("2025-03-30"), to: date("2025-03-30") });
        assert_eq!(start, ms("2025-03-29T23:00:00Z"));
        assert_eq!(end - start, 23 * HOUR);
        let spans = spans(berlin, start, end);
        assert_eq!(spans.len(), 2);
        assert_eq!(spans[1], Span { from_ms: ms("2025-03-30T01:00:00Z"), offset_ms: 2 * HOUR });
        let day = day_number(date("2025-03-30"));
        assert_eq!(local_day(start, &spans), day);
        assert_eq!(local_day(ms("2025-03-30T00:59:59Z"), &spans), day);
        assert_eq!(local_day(ms("2025-03-30T01:00:00Z"), &spans), day);
        assert_eq!(local_day(end - 1, &spans), day);
        assert_eq!(local_day(end, &spans), day + 1);
    }

    #[test]
    fn fall_back_day_has_25_hours_in_new_york() {
        // 2025-11-02: clocks go from 02:00 EDT back to 01:00 EST.
        let ny = tz("America/New_York");
        let (start, end) = bounds(ny, DateRange { from: date("2025-11-02"), to: date("2025-11-02") });
        assert_eq!(start, ms("2025-11-02T04:00:00Z"));
        assert_eq!(end, ms("2025-11-03T05:00:00Z"));
        assert_eq!(end - start, 25 * HOUR);
        let spans = spans(ny, start, end);
        assert_eq!(spans.iter().map(|s| s.offset_ms).collect::<Vec<_>>(), vec![-4 * HOUR, -5 * HOUR]);
        assert_eq!(spans[1].from_ms, ms("2025-11-02T06:00:00Z"));
        // The repeated 01:30 (first EDT, then EST) is the same local day both times.
        let day = day_number(date("2025-11-02"));
        assert_eq!(local_day(ms("2025-11-02T05:30:00Z"), &spans), day);
        assert_eq!(local_day(ms("2025-11-02T06:30:00Z"), &spans), day);
        assert_eq!(local_day(end - 1, &spans), day);
    }

    #[test]
    fn a_long_range_has_one_span_per_offset_change() {
        let berlin = tz("Europe/Berlin");
        let range = DateRange { from: date("2024-01-01"), to: date("2025-12-31") };
        let (start, end) = bounds(berlin, range);
        let spans = spans(berlin, start, end);
        // Winter, summer 2024, winter, summer 2025, winter.
        assert_eq!(spans.len(), 5);
        // Every local midnight of the range falls on its own day, and a millisecond before on the previous.
        for d in range.days() {
            let midnight = day_start_ms(berlin, d);
            assert_eq!(local_day(midnight, &spans), day_number(d), "{d}");
            if d > range.from {
                assert_eq!(local_day(midnight - 1, &spans), day_number(d) - 1, "{d}");
            }
        }
    }

    #[test]
    fn a_skipped_midnight_starts_the_day_at_the_first_real_time() {
        // America/Santiago skipped 2024-09-08 00:00 → 01:00.
        let santiago = tz("America/Santiago");
        assert_eq!(day_start_ms(santiago, date("2024-09-08")), ms("2024-09-08T01:00:00-03:00"));
    }

    #[test]
    fn half_hour_zones_cut_days_at_their_midnight() {
        let kolkata = tz("Asia/Kolkata");
        let (start, _) = bounds(kolkata, DateRange { from: date("2025-03-05"), to: date("2025-03-05") });
        assert_eq!(start, ms("2025-03-04T18:30:00Z"));
        let spans = spans(kolkata, start, start + DAY_MS);
        assert_eq!(local_day(ms("2025-03-05T18:29:59Z"), &spans), day_number(date("2025-03-05")));
        assert_eq!(local_day(ms("2025-03-05T18:30:00Z"), &spans), day_number(date("2025-03-06")));
        assert_eq!(today(kolkata, ms("2025-03-05T18:30:00Z")), date("2025-03-06"));
        assert_eq!(local_time(kolkata, ms("2025-03-05T18:30:00Z")), "2025-03-06 00:00:00");
    }
}
