//! `/admin/health`: how every source's calls went — networks, programs, reward secrets and
//! offerwall providers — in one sortable table, read again every few seconds. `?kind=` narrows
//! it to one kind, `&id=` to one source (each source's own screen links here that way).

use std::time::Duration;

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::error_message;
use crate::api::health::{load_health, HealthOverview};
use crate::components::data_table::{SortOrder, Sorting};
use crate::components::reader_zone::local_time;
use crate::components::{DataTable, EmptyList, PageHead, SearchBar, StatusBadge};
use crate::domain::health::sort::{sort_sources, SortBy, Window};
use crate::domain::health::{HealthFlag, SourceHealth, SourceKind};
use crate::domain::when::{ago, span_words};

#[component]
pub fn AdminHealthPage() -> impl IntoView {
    view! {
        <AdminPage title="Health" current="/admin/health">
            <Health />
        </AdminPage>
    }
}

/// How often the open screen reads the figures again.
const REFRESH: Duration = Duration::from_secs(5);

/// The table's columns and what each sorts by.
const COLUMNS: [(&str, Option<SortBy>); 13] = [
    ("Source", Some(SortBy::Name)),
    ("Kind", Some(SortBy::Kind)),
    ("Flags", Some(SortBy::Flags)),
    ("Last call", Some(SortBy::LastCall)),
    ("Accepted 1 h#", Some(SortBy::Accepted(Window::Hour))),
    ("Held 1 h#", Some(SortBy::Held(Window::Hour))),
    ("Refused 1 h#", Some(SortBy::Refused(Window::Hour))),
    ("Accepted 24 h#", Some(SortBy::Accepted(Window::Day))),
    ("Held 24 h#", Some(SortBy::Held(Window::Day))),
    ("Refused 24 h#", Some(SortBy::Refused(Window::Day))),
    ("p50 ms#", Some(SortBy::P50)),
    ("p99 ms#", Some(SortBy::P99)),
    ("Top refusals (24 h)", None),
];
const SORTABLE: [usize; 12] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
/// Flagged sources first, as the server lists them.
const FIRST_ORDER: SortOrder = SortOrder { column: 2, descending: true };

/// Which sources the screen shows: a kind (empty: all) and a source id (empty: all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filter {
    kind: String,
    id: String,
}

#[component]
fn Health() -> impl IntoView {
    let query = use_query_map();
    let filter = RwSignal::new(query.with_untracked(|q| Filter {
        kind: q.get("kind").filter(|k| SourceKind::parse(k).is_some()).unwrap_or_default(),
        id: q.get("id").unwrap_or_default(),
    }));
    let listing = Resource::new(move || filter.get(), |f| load_health(f.kind, f.id));
    // Newer figures read in the browser since the listing came, with the filter they are for.
    let fresh = RwSignal::new(None::<(Filter, HealthOverview)>);
    let order = RwSignal::new(FIRST_ORDER);
    Effect::new(move |_| {
        let poll = set_interval_with_handle(
            move || {
                let wanted = filter.get_untracked();
                leptos::task::spawn_local(async move {
                    if let Ok(overview) = load_health(wanted.kind.clone(), wanted.id.clone()).await {
                        fresh.set(Some((wanted, overview)));
                    }
                });
            },
            REFRESH,
        )
        .ok();
        on_cleanup(move || {
            if let Some(poll) = poll {
                poll.clear();
            }
        });
    });

    view! {
        <PageHead title="Health" />
        <p class="muted">"How each source's calls went: CPA postbacks per network, conversions-API calls per program, level postbacks per reward secret, offerwall postbacks per provider. Calls refused before their sender was known (a wrong key or secret) count for none. Read again every 5 seconds."</p>
        <FilterBar filter />
        <Transition fallback=|| view! { <p class="loading">"Loading health…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(first) => view! { <Sources first fresh filter order /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
        <p class="muted small" data-testid="health-legend">
            <StatusBadge status="silent" /> " no call for six of its usual gaps (and at least 15 minutes), or for a day when it calls rarely. "
            <StatusBadge status="refusals_jump" /> " the last hour refused at least three times its usual share, five calls or more."
        </p>
    }
}

#[component]
fn FilterBar(filter: RwSignal<Filter>) -> impl IntoView {
    let kinds = SourceKind::ALL.map(|k| (k.as_str(), kind_plural(k)));
    view! {
        <SearchBar label="Narrow the sources">
            <label class="field">
                <span>"Kind"</span>
                <select data-testid="health-kind" prop:value=move || filter.with(|f| f.kind.clone())
                    on:change=move |ev| filter.set(Filter { kind: event_target_value(&ev), id: String::new() })>
                    <option value="">"Every kind"</option>
                    {kinds.into_iter().map(|(value, label)| view! { <option value=value>{label}</option> }).collect_view()}
                </select>
            </label>
            {move || filter.with(|f| !f.id.is_empty()).then(|| view! {
                <p class="small" data-testid="health-one-source">
                    "One source: " <code class="id">{move || filter.with(|f| f.id.clone())}</code> " "
                    <button type="button" class="btn btn-ghost btn-small" data-testid="health-show-all"
                        on:click=move |_| filter.update(|f| f.id.clear())>"Show all"</button>
                </p>
            })}
        </SearchBar>
    }
}

fn kind_plural(kind: SourceKind) -> &'static str {
    match kind {
        SourceKind::Network => "Networks",
        SourceKind::Program => "Programs",
        SourceKind::RewardSecret => "Reward secrets",
        SourceKind::Provider => "Providers",
    }
}

/// The table (or the empty state), kept current by `fresh` without being drawn again: only the
/// rows whose figures changed are.
#[component]
fn Sources(
    first: HealthOverview,
    fresh: RwSignal<Option<(Filter, HealthOverview)>>,
    filter: RwSignal<Filter>,
    order: RwSignal<SortOrder>,
) -> impl IntoView {
    let shown_for = filter.get_untracked();
    let current = Memo::new(move |_| match fresh.get() {
        Some((f, newer)) if f == shown_for && newer.now >= first.now => newer,
        _ => first.clone(),
    });
    let has_rows = Memo::new(move |_| current.with(|c| !c.items.is_empty()));
    let filtered = filter.with_untracked(|f| !f.kind.is_empty() || !f.id.is_empty());
    let now = Signal::derive(move || current.with(|c| c.now));
    let rows = move || {
        let mut items = current.with(|c| c.items.clone());
        let SortOrder { column, descending } = order.get();
        if let Some((_, Some(by))) = COLUMNS.get(column) {
            sort_sources(&mut items, *by, descending);
        }
        items
    };
    let headers: Vec<&'static str> = COLUMNS.iter().map(|(h, _)| *h).collect();
    let sort = Sorting { order, columns: &SORTABLE };
    view! {
        <p class="muted small">"Updated " <span data-testid="health-updated">{move || local_time(now.get())}</span></p>
        {move || if has_rows.get() {
            let headers = headers.clone();
            view! {
                <DataTable headers test_id="health-table" label="Source health" sort>
                    <For each=rows key=row_key children=move |s| view! { <Row now source=s /> } />
                </DataTable>
            }.into_any()
        } else {
            view! {
                <EmptyList filtered nothing_yet="No sources yet"
                    next_step="Add a network, a program, a reward secret or an offerwall provider. Its calls are counted here from its first one." />
            }.into_any()
        }}
    }
}

/// A row is drawn again only when something it shows changed.
fn row_key(s: &SourceHealth) -> String {
    format!("{}:{}:{}:{}:{:?}", s.kind.as_str(), s.id, s.name, s.active, s.figures)
}

fn milliseconds(value: Option<f64>) -> String {
    value.map(|ms| format!("{ms:.1}")).unwrap_or_else(|| "—".into())
}

/// One source; `now` is when the figures were read, so "5 min ago" stays true between reads.
#[component]
fn Row(now: Signal<i64>, source: SourceHealth) -> impl IntoView {
    let SourceHealth { kind, id, name, active, figures: f } = source;
    let flag_words = f.flags.iter().map(|flag| flag_word(*flag)).collect::<Vec<_>>().join(" ");
    let last_call = match f.last_call_at {
        Some(at) => view! { <span title=local_time(at)>{move || ago(at, now.get())}</span> }.into_any(),
        None => view! { <span class="muted">"never"</span> }.into_any(),
    };
    let gap =
        f.usual_gap_seconds.map(|s| view! { <br /><span class="muted small">{format!("usually every {}", span_words(s * 1000))}</span> });
    let flags = if f.flags.is_empty() {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        f.flags.iter().map(|flag| view! { <StatusBadge status=flag_word(*flag) /> " " }).collect_view().into_any()
    };
    let reasons = if f.top_refusals.is_empty() {
        view! { <span class="muted">"—"</span> }.into_any()
    } else {
        view! {
            <ul class="reasons small">
                {f.top_refusals.iter().take(3).map(|r| view! { <li>{r.reason.clone()} " " <span class="muted">{format!("×{}", r.count)}</span></li> }).collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <tr data-testid="health-row" data-kind=kind.as_str() data-id=id.clone() data-name=name.clone()
            data-flags=flag_words>
            <td class="wrap">
                <a href=kind.page(&id)>{name.clone()}</a>
                {(!active).then(|| view! { " " <StatusBadge status="inactive" /> })}
                <br /><code class="id small">{id.clone()}</code>
            </td>
            <td class="nowrap">{kind.label()}</td>
            <td class="nowrap">{flags}</td>
            <td class="nowrap">{last_call}{gap}</td>
            <td class="num">{f.last_hour.accepted}</td>
            <td class="num">{f.last_hour.held}</td>
            <td class="num" data-testid="refused-hour">{f.last_hour.refused}</td>
            <td class="num" data-testid="accepted-day">{f.last_day.accepted}</td>
            <td class="num">{f.last_day.held}</td>
            <td class="num" data-testid="refused-day">{f.last_day.refused}</td>
            <td class="num">{milliseconds(f.p50_ms)}</td>
            <td class="num">{milliseconds(f.p99_ms)}</td>
            <td class="wrap">{reasons}</td>
        </tr>
    }
}

fn flag_word(flag: HealthFlag) -> &'static str {
    match flag {
        HealthFlag::Silent => "silent",
        HealthFlag::RefusalsJump => "refusals_jump",
    }
}

/// The link from a source's own screen to its row here.
#[component]
pub fn HealthLink(kind: SourceKind, #[prop(into)] id: String) -> impl IntoView {
    view! {
        <a href=format!("/admin/health?kind={}&id={}", kind.as_str(), id) data-testid="health-link">"Health of its calls"</a>
    }
}
