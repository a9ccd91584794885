//! The orders the Health screen's table can take: by name, kind, flags, last call, a window's
//! counts or a latency percentile, either way. A source without the value (never called, no
//! latency yet) always comes last; ties go by name, then id.

use std::cmp::Ordering;

use super::SourceHealth;

/// The last hour or the last 24 hours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    Hour,
    Day,
}

/// What the rows are ordered by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortBy {
    Name,
    Kind,
    /// How many flags a source has.
    Flags,
    LastCall,
    Accepted(Window),
    Held(Window),
    Refused(Window),
    P50,
    P99,
}

/// One source's value for an order; `None` when it has none.
#[derive(Debug, PartialEq, PartialOrd)]
enum Key {
    Text(String),
    Number(Option<f64>),
}

fn key(source: &SourceHealth, by: SortBy) -> Key {
    let f = &source.figures;
    let window = |w: Window| if w == Window::Hour { f.last_hour } else { f.last_day };
    let count = |n: i64| Key::Number(Some(n as f64));
    match by {
        SortBy::Name => Key::Text(source.name.to_lowercase()),
        SortBy::Kind => Key::Text(source.kind.label().to_owned()),
        SortBy::Flags => count(f.flags.len() as i64),
        SortBy::LastCall => Key::Number(f.last_call_at.map(|ms| ms as f64)),
        SortBy::Accepted(w) => count(window(w).accepted),
        SortBy::Held(w) => count(window(w).held),
        SortBy::Refused(w) => count(window(w).refused),
        SortBy::P50 => Key::Number(f.p50_ms),
        SortBy::P99 => Key::Number(f.p99_ms),
    }
}

/// Sorts `sources` by `by`, largest (or last in the alphabet) first when `descending`.
pub fn sort_sources(sources: &mut [SourceHealth], by: SortBy, descending: bool) {
    sources.sort_by(|a, b| {
        let (ka, kb) = (key(a, by), key(b, by));
        let primary = match (&ka, &kb) {
            (Key::Number(None), Key::Number(Some(_))) => Ordering::Greater,
            (Key::Number(Some(_)), Key::Number(None)) => Ordering::Less,
            _ => {
                let order = ka.partial_cmp(&kb).unwrap_or(Ordering::Equal);
                if descending {
                    order.reverse()
                } else {
                    order
                }
            }
        };
        primary.then_with(|| a.name.to_lowercase().cmp(&b.name.to_lowercase())).then_with(|| a.id.cmp(&b.id))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::health::{figures, CallCounts, HealthFlag, SourceKind, SourceTally};

    fn source(kind: SourceKind, name: &str, refused_today: i64, last_call_at: Option<i64>) -> SourceHealth {
        let tally =
            SourceTally { last_call_at, last_day: CallCounts { accepted: 1, held: 0, refused: refused_today }, ..SourceTally::default() };
        SourceHealth { kind, id: format!("id-{name}"), name: name.into(), active: true, figures: figures(0, tally) }
    }

    fn names(sources: &[SourceHealth]) -> Vec<&str> {
        sources.iter().map(|s| s.name.as_str()).collect()
    }

    #[test]
    fn sorts_each_way_with_ties_by_name() {
        let mut rows = vec![
            source(SourceKind::Provider, "beta", 3, Some(10)),
            source(SourceKind::Network, "Alpha", 3, Some(30)),
            source(SourceKind::Program, "gamma", 9, None),
        ];
        sort_sources(&mut rows, SortBy::Name, false);
        assert_eq!(names(&rows), ["Alpha", "beta", "gamma"], "names ignore case");
        sort_sources(&mut rows, SortBy::Refused(Window::Day), true);
        assert_eq!(names(&rows), ["gamma", "Alpha", "beta"], "a tie goes by name either way");
        sort_sources(&mut rows, SortBy::Refused(Window::Day), false);
        assert_eq!(names(&rows), ["Alpha", "beta", "gamma"]);
        sort_sources(&mut rows, SortBy::Kind, false);
        assert_eq!(names(&rows), ["Alpha", "gamma", "beta"], "Network, Program, Provider");
    }

    #[test]
    fn a_missing_value_comes_last_both_ways() {
        let mut rows = vec![
            source(SourceKind::Network, "never", 0, None),
            source(SourceKind::Network, "old", 0, Some(10)),
            source(SourceKind::Network, "new", 0, Some(20)),
        ];
        sort_sources(&mut rows, SortBy::LastCall, true);
        assert_eq!(names(&rows), ["new", "old", "never"]);
        sort_sources(&mut rows, SortBy::LastCall, false);
        assert_eq!(names(&rows), ["old", "new", "never"]);
        sort_sources(&mut rows, SortBy::P99, true);
        assert_eq!(names(&rows), ["never", "new", "old"], "no latency anywhere: by name");
    }

    #[test]
    fn flagged_sources_sort_first() {
        let mut rows = vec![source(SourceKind::Network, "fine", 0, Some(1)), source(SourceKind::Network, "quiet", 0, Some(1))];
        rows[1].figures.flags = vec![HealthFlag::Silent];
        sort_sources(&mut rows, SortBy::Flags, true);
        assert_eq!(names(&rows), ["quiet", "fine"]);
    }
}
