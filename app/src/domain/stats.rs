//! Figures for the admin overview, by day in the reader's time zone. A day is its number since
//! 1970-01-01 in that zone.

use serde::{Deserialize, Serialize};

pub const DAY_MS: i64 = 86_400_000;

/// One day of the series.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DayTotals {
    /// The local date as unix ms of its 00:00 UTC (format it in UTC to read the local date).
    pub day_start: i64,
    pub conversions: i64,
    /// Cents credited to publishers for that day's conversions.
    pub payout_cents: i64,
}

/// The admin overview's headline figures.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub today_conversions: i64,
    pub today_payout_cents: i64,
    /// Conversions waiting for an admin's decision (any day).
    pub held: i64,
    /// Outbound postbacks that used up their retries.
    pub delivery_failures: i64,
    /// Oldest first, one entry per day including days without conversions; the last is today.
    pub days: Vec<DayTotals>,
}

/// One entry per day from day `first` to day `last`, summing `(day, conversions, payout_cents)`
/// rows and zero where there are none.
pub fn fill_days(first: i64, last: i64, rows: &[(i64, i64, i64)]) -> Vec<DayTotals> {
    (first..=last)
        .map(|day| {
            let (conversions, payout_cents) =
                rows.iter().filter(|(d, _, _)| *d == day).fold((0, 0), |(c, p), (_, n, cents)| (c + n, p + cents));
            DayTotals { day_start: day * DAY_MS, conversions, payout_cents }
        })
        .collect()
}

/// `Overview` from a filled series (today last) and the two counters.
pub fn overview(days: Vec<DayTotals>, held: i64, delivery_failures: i64) -> Overview {
    let (today_conversions, today_payout_cents) = days.last().map(|d| (d.conversions, d.payout_cents)).unwrap_or((0, 0));
    Overview { today_conversions, today_payout_cents, held, delivery_failures, days }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fills_missing_days_with_zero_and_keeps_order() {
        let rows = [(12, 3, 700), (10, 1, 350)];
        let days = fill_days(10, 13, &rows);
        assert_eq!(days.iter().map(|d| d.conversions).collect::<Vec<_>>(), vec![1, 0, 3, 0]);
        assert_eq!(days.iter().map(|d| d.payout_cents).collect::<Vec<_>>(), vec![350, 0, 700, 0]);
        assert_eq!(days[0].day_start, 10 * DAY_MS);
    }

    #[test]
    fn today_is_the_last_day() {
        let o = overview(fill_days(1, 2, &[(2, 4, 900)]), 1, 2);
        assert_eq!((o.today_conversions, o.today_payout_cents, o.held, o.delivery_failures), (4, 900, 1, 2));
    }
}
