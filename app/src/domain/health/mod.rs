//! Per-source health (issue 15, item 2): how the calls of one source — a network, a program, a
//! reward secret, an offerwall provider — went over the last hour and day, and whether the
//! source looks wrong: silent for much longer than its usual gap, or refused far more often than
//! usual. Pure rules over the calls' times, outcomes and latencies; the queries live in
//! `server::health`.

use serde::{Deserialize, Serialize};

pub mod sort;

pub const HOUR_MS: i64 = 3_600_000;
pub const DAY_MS: i64 = 24 * HOUR_MS;

/// A source is silent when its last call is older than this many usual gaps…
pub const SILENCE_GAPS: i64 = 6;
/// …and older than this (a source that calls every second is not "silent" after 6 s).
pub const SILENCE_FLOOR_MS: i64 = 15 * 60_000;
/// The usual gap needs at least this many calls in the day to mean anything.
pub const MIN_CALLS_FOR_GAP: i64 = 4;
/// Refusals "jump" when the last hour's refusal share is at least this many times the day's
/// share before it…
pub const SPIKE_FACTOR: f64 = 3.0;
/// …with at least this many refusals in the hour.
pub const SPIKE_MIN_REFUSALS: i64 = 5;

/// The kind of source a health row describes: who sends the calls, named in the postback log
/// by one column each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// An ad network posting CPA postbacks (seed 000).
    Network,
    /// A program calling the conversions API (seed 001).
    Program,
    /// A reward API secret presented with level postbacks (seed 003).
    RewardSecret,
    /// An offerwall provider posting to the inbound door (SPEC F).
    Provider,
}

impl SourceKind {
    pub const ALL: [SourceKind; 4] = [SourceKind::Network, SourceKind::Program, SourceKind::RewardSecret, SourceKind::Provider];

    /// The word the API and the screen's address use.
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Network => "network",
            SourceKind::Program => "program",
            SourceKind::RewardSecret => "reward_secret",
            SourceKind::Provider => "provider",
        }
    }

    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.as_str() == word)
    }

    /// How people read it.
    pub fn label(self) -> &'static str {
        match self {
            SourceKind::Network => "Network",
            SourceKind::Program => "Program",
            SourceKind::RewardSecret => "Reward secret",
            SourceKind::Provider => "Provider",
        }
    }

    /// The screen where the source itself is managed.
    pub fn page(self, id: &str) -> String {
        match self {
            SourceKind::Network => format!("/admin/networks/{id}"),
            SourceKind::Program => format!("/admin/programs/{id}"),
            SourceKind::RewardSecret => "/admin/secrets".to_owned(),
            SourceKind::Provider => format!("/admin/providers/{id}"),
        }
    }
}

/// One source and its figures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SourceHealth {
    pub kind: SourceKind,
    pub id: String,
    /// The source's name; a reward secret's hint.
    pub name: String,
    /// False for a deactivated network, program or provider, and a revoked or expired secret.
    pub active: bool,
    #[serde(flatten)]
    pub figures: SourceFigures,
}

/// What a logged call came to, as health counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallClass {
    /// Recorded (or a repeat of a recorded call, acknowledged again).
    Accepted,
    /// Recorded but held for review by the quality checks.
    Held,
    /// Refused with a 4xx or 5xx.
    Refused,
}

impl CallClass {
    /// From the postback log's `outcome`.
    pub fn of(outcome: &str) -> Self {
        match outcome {
            // A sandbox call passed every check; only its credit was skipped.
            "ok" | "duplicate" | "sandbox" => Self::Accepted,
            "held" => Self::Held,
            _ => Self::Refused,
        }
    }
}

/// Calls accepted, held and refused in a window.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CallCounts {
    pub accepted: i64,
    pub held: i64,
    pub refused: i64,
}

impl CallCounts {
    pub fn add(&mut self, class: CallClass) {
        self.add_many(class, 1);
    }

    pub fn add_many(&mut self, class: CallClass, n: i64) {
        match class {
            CallClass::Accepted => self.accepted += n,
            CallClass::Held => self.held += n,
            CallClass::Refused => self.refused += n,
        }
    }

    pub fn total(&self) -> i64 {
        self.accepted + self.held + self.refused
    }

    fn refused_share(&self) -> f64 {
        if self.total() == 0 {
            0.0
        } else {
            self.refused as f64 / self.total() as f64
        }
    }
}

/// Why a source is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum HealthFlag {
    /// No call for much longer than the source's usual gap.
    Silent,
    /// The last hour's refusal share jumped above the day's.
    RefusalsJump,
}

/// A refusal reason and how often it came in the last 24 hours.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ReasonCount {
    pub reason: String,
    pub count: i64,
}

/// What the database adds up for one source (see `server::health`): counts per window, refusal
/// reasons of the day, and the latencies of the day's most recent calls (a bounded sample).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceTally {
    pub last_call_at: Option<i64>,
    /// The first and last call within the last 24 hours.
    pub day_span: Option<(i64, i64)>,
    pub last_hour: CallCounts,
    pub last_day: CallCounts,
    pub refusals: Vec<ReasonCount>,
    pub latencies_us: Vec<i64>,
}

/// The figures of one source.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SourceFigures {
    /// Unix ms of the last call, ever; `null` when it never called.
    pub last_call_at: Option<i64>,
    pub last_hour: CallCounts,
    pub last_day: CallCounts,
    /// At most five, most frequent first (last 24 hours).
    pub top_refusals: Vec<ReasonCount>,
    /// Ingest latency (request to answer) over the last 24 hours, in milliseconds.
    pub p50_ms: Option<f64>,
    pub p99_ms: Option<f64>,
    /// The mean gap between the calls of the last 24 hours, in seconds.
    pub usual_gap_seconds: Option<i64>,
    pub flags: Vec<HealthFlag>,
}

/// The figures and flags of a source at `now_ms`.
pub fn figures(now_ms: i64, tally: SourceTally) -> SourceFigures {
    let SourceTally { last_call_at, day_span, last_hour, last_day, mut refusals, mut latencies_us } = tally;
    refusals.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.reason.cmp(&b.reason)));
    refusals.truncate(5);
    latencies_us.sort_unstable();
    let usual_gap_ms = day_span.and_then(|(first, last)| usual_gap(first, last, last_day.total()));
    let mut flags = Vec::new();
    if is_silent(now_ms, last_call_at, usual_gap_ms) {
        flags.push(HealthFlag::Silent);
    }
    if refusals_jump(last_hour, last_day) {
        flags.push(HealthFlag::RefusalsJump);
    }
    SourceFigures {
        last_call_at,
        last_hour,
        last_day,
        top_refusals: refusals,
        p50_ms: percentile(&latencies_us, 0.50).map(|us| us as f64 / 1000.0),
        p99_ms: percentile(&latencies_us, 0.99).map(|us| us as f64 / 1000.0),
        usual_gap_seconds: usual_gap_ms.map(|ms| ms / 1000),
        flags,
    }
}

/// The nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[i64], p: f64) -> Option<i64> {
    if sorted.is_empty() {
        return None;
    }
    let rank = (p * sorted.len() as f64).ceil() as usize;
    sorted.get(rank.clamp(1, sorted.len()) - 1).copied()
}

/// The mean gap between `calls` calls from `first` to `last`, when there were enough calls to
/// mean anything.
pub fn usual_gap(first: i64, last: i64, calls: i64) -> Option<i64> {
    (calls >= MIN_CALLS_FOR_GAP && last >= first).then(|| (last - first) / (calls - 1))
}

/// Silent: it has called before, and its last call is older than `SILENCE_GAPS` usual gaps and
/// `SILENCE_FLOOR_MS`. A source with no usual gap yet (few calls in the day) is silent after a
/// whole day without calls.
pub fn is_silent(now_ms: i64, last_call_at: Option<i64>, usual_gap_ms: Option<i64>) -> bool {
    let Some(last) = last_call_at else {
        return false;
    };
    let quiet_for = now_ms - last;
    match usual_gap_ms {
        Some(gap) => quiet_for > (gap * SILENCE_GAPS).max(SILENCE_FLOOR_MS),
        None => quiet_for > DAY_MS,
    }
}

/// The last hour's refusal share is `SPIKE_FACTOR` times the share of the 23 hours before it,
/// with at least `SPIKE_MIN_REFUSALS` refusals in the hour.
pub fn refusals_jump(last_hour: CallCounts, last_day: CallCounts) -> bool {
    if last_hour.refused < SPIKE_MIN_REFUSALS {
        return false;
    }
    let before = CallCounts {
        accepted: last_day.accepted - last_hour.accepted,
        held: last_day.held - last_hour.held,
        refused: last_day.refused - last_hour.refused,
    };
    let (base, now) = (before.refused_share(), last_hour.refused_share());
    now > base && now >= base * SPIKE_FACTOR
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 1_800_000_000_000;
    const MINUTE: i64 = 60_000;

    fn counts(accepted: i64, held: i64, refused: i64) -> CallCounts {
        CallCounts { accepted, held, refused }
    }

    fn reason(reason: &str, count: i64) -> ReasonCount {
        ReasonCount { reason: reason.into(), count }
    }

    #[test]
    fn kinds_read_back_from_their_words() {
        for kind in SourceKind::ALL {
            assert_eq!(SourceKind::parse(kind.as_str()), Some(kind));
            assert_eq!(serde_json::to_value(kind).ok(), Some(serde_json::Value::String(kind.as_str().into())));
        }
        assert_eq!(SourceKind::parse("publisher"), None);
    }

    #[test]
    fn outcomes_are_classified() {
        assert_eq!(CallClass::of("ok"), CallClass::Accepted);
        assert_eq!(CallClass::of("duplicate"), CallClass::Accepted);
        assert_eq!(CallClass::of("sandbox"), CallClass::Accepted);
        assert_eq!(CallClass::of("held"), CallClass::Held);
        for refused in ["unauthorized", "forbidden", "bad_request", "not_found", "https_required", "error", "conflict"] {
            assert_eq!(CallClass::of(refused), CallClass::Refused, "{refused}");
        }
        let mut tally = CallCounts::default();
        for outcome in ["ok", "duplicate", "held", "forbidden"] {
            tally.add(CallClass::of(outcome));
        }
        assert_eq!(tally, counts(2, 1, 1));
    }

    #[test]
    fn a_known_mix_gives_known_figures() {
        let tally = SourceTally {
            last_call_at: Some(NOW - 10 * MINUTE),
            day_span: Some((NOW - 510 * MINUTE, NOW - 10 * MINUTE)),
            last_hour: counts(3, 1, 2),
            last_day: counts(7, 1, 3),
            refusals: vec![
                reason("bad_request", 1),
                reason("source IP not allowed", 2),
                reason("a", 1),
                reason("b", 1),
                reason("c", 1),
                reason("d", 1),
            ],
            latencies_us: vec![3000, 1000, 2000, 4000, 1000, 2000, 3000, 3000, 1000, 2000, 3000],
        };
        let f = figures(NOW, tally);
        assert_eq!(f.top_refusals.len(), 5);
        assert_eq!(f.top_refusals[0], reason("source IP not allowed", 2));
        assert_eq!(f.top_refusals[1], reason("a", 1), "ties by name");
        // 1,1,1,2,2,2,3,3,3,3,4 ms → p50 is the 6th (2 ms), p99 the 11th (4 ms).
        assert_eq!(f.p50_ms, Some(2.0));
        assert_eq!(f.p99_ms, Some(4.0));
        assert_eq!(f.usual_gap_seconds, Some(50 * 60), "500 minutes over 10 gaps");
        assert!(f.flags.is_empty(), "{:?}", f.flags);
    }

    #[test]
    fn a_source_silent_for_many_usual_gaps_is_flagged() {
        // 20 calls, one every 5 minutes, the last 3 hours ago.
        let quiet = SourceTally {
            last_call_at: Some(NOW - 180 * MINUTE),
            day_span: Some((NOW - 275 * MINUTE, NOW - 180 * MINUTE)),
            last_day: counts(20, 0, 0),
            ..SourceTally::default()
        };
        let f = figures(NOW, quiet.clone());
        assert_eq!(f.usual_gap_seconds, Some(300));
        assert_eq!(f.flags, vec![HealthFlag::Silent]);
        // The same source last seen 20 minutes ago: within 6 gaps (30 min).
        let recent =
            SourceTally { last_call_at: Some(NOW - 20 * MINUTE), day_span: Some((NOW - 115 * MINUTE, NOW - 20 * MINUTE)), ..quiet };
        assert!(figures(NOW, recent).flags.is_empty());
        // A frequent caller is not silent before the floor.
        assert!(!is_silent(NOW, Some(NOW - MINUTE), Some(1_000)));
        assert!(is_silent(NOW, Some(NOW - 16 * MINUTE), Some(1_000)));
        // Never called: nothing to miss.
        assert!(!is_silent(NOW, None, None));
        // Few calls: silent only after a day.
        assert!(!is_silent(NOW, Some(NOW - 23 * HOUR_MS), None));
        assert!(is_silent(NOW, Some(NOW - 25 * HOUR_MS), None));
    }

    #[test]
    fn a_jump_in_refusals_is_flagged() {
        // Hour: 6 of 10 refused; the 23 hours before: 1 of 41.
        let jump =
            SourceTally { last_call_at: Some(NOW), last_hour: counts(4, 0, 6), last_day: counts(44, 0, 7), ..SourceTally::default() };
        assert_eq!(figures(NOW, jump).flags, vec![HealthFlag::RefusalsJump]);
        // Steady refusals (the same share all day) are not a jump.
        assert!(!refusals_jump(counts(5, 0, 5), counts(100, 0, 100)));
        // Too few refusals to judge.
        assert!(!refusals_jump(counts(0, 0, 4), counts(100, 0, 4)));
        // From none before to many now.
        assert!(refusals_jump(counts(0, 0, 5), counts(50, 0, 5)));
    }

    #[test]
    fn percentiles_use_the_nearest_rank() {
        assert_eq!(percentile(&[], 0.5), None);
        assert_eq!(percentile(&[7], 0.99), Some(7));
        let values: Vec<i64> = (1..=100).collect();
        assert_eq!(percentile(&values, 0.5), Some(50));
        assert_eq!(percentile(&values, 0.99), Some(99));
    }
}
