//! `/admin/feed`: the latest conversions, filtered, kept current by the event stream — new ones
//! slide in at the top and changed ones update in place, without a reload.

use std::collections::{HashMap, HashSet};

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::conversions::{conversion_coins, feed_choices, feed_conversions, FeedFilter, FilterChoices, FEED_LIMIT};
use crate::api::error_message;
use crate::components::live_events::{subscribe_conversions, Connection};
use crate::components::reader_zone::{in_zone, local_time, reader_zone};
use crate::components::{LiveBadge, StatusBadge};
use crate::domain::conversion::{Conversion, ConversionState};
use crate::domain::money::conversion_worth;

#[component]
pub fn AdminFeedPage() -> impl IntoView {
    view! {
        <AdminPage title="Live feed" current="/admin/feed">
            <Feed />
        </AdminPage>
    }
}

/// Names for ids, from the filter choices.
#[derive(Clone, Default)]
struct Names {
    networks: HashMap<String, String>,
    publishers: HashMap<String, String>,
}

impl Names {
    fn from(choices: &FilterChoices) -> Self {
        Self {
            networks: choices.networks.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
            publishers: choices.publishers.iter().map(|c| (c.id.clone(), c.name.clone())).collect(),
        }
    }
}

fn name_of(names: &HashMap<String, String>, id: &Option<String>) -> String {
    match id {
        Some(id) => names.get(id).cloned().unwrap_or_else(|| id.clone()),
        None => "—".into(),
    }
}

/// The listing with live changes laid over it: a changed row takes its newest version (and
/// leaves when it no longer matches the filter); new ones come first.
fn merged(base: &[Conversion], live: &[Conversion], filter: &FeedFilter) -> Vec<Conversion> {
    let newest: HashMap<&str, &Conversion> = live.iter().map(|c| (c.id.as_str(), c)).collect();
    let mut rows: Vec<Conversion> = live.iter().filter(|c| filter.matches(c) && !base.iter().any(|b| b.id == c.id)).cloned().collect();
    for row in base {
        match newest.get(row.id.as_str()) {
            Some(updated) if updated.updated_at >= row.updated_at => {
                if filter.matches(updated) {
                    rows.push((*updated).clone());
                }
            }
            _ => rows.push(row.clone()),
        }
    }
    rows.truncate(FEED_LIMIT);
    rows
}

#[component]
fn Feed() -> impl IntoView {
    let query = use_query_map();
    let initial = query.with_untracked(|q| FeedFilter {
        network: q.get("network").unwrap_or_default(),
        publisher: q.get("publisher").unwrap_or_default(),
        status: q.get("status").unwrap_or_default(),
        source: q.get("source").unwrap_or_default(),
    });
    let filter = RwSignal::new(initial);
    let listing = Resource::new(move || filter.get(), |f| feed_conversions(f.network, f.publisher, f.status, f.source));
    let choices = Resource::new(|| (), |_| feed_choices());
    // The table names ids once the choices are in; its transition waits for the listing only
    // (one resource per boundary: awaiting the filters' resource here too broke hydration).
    let names = Signal::derive(move || choices.get().and_then(Result::ok).map(|c| Names::from(&c)).unwrap_or_default());
    // Conversions seen on the event stream since the page loaded, newest first, one per id.
    let live = RwSignal::new(Vec::<Conversion>::new());
    // Sandbox calls: shown as they happen with their badge, never stored.
    let sandbox = RwSignal::new(HashSet::<String>::new());
    let arrived = RwSignal::new(0usize);
    let mounted = RwSignal::new(false);
    Effect::new(move |_| mounted.set(true));
    let connection = subscribe_conversions(move |event| {
        if event.kind == "sandbox" {
            sandbox.update(|ids| {
                ids.insert(event.conversion.id.clone());
            });
        }
        live.update(|seen| {
            seen.retain(|c| c.id != event.conversion.id);
            seen.insert(0, event.conversion);
            seen.truncate(500);
        });
        if event.kind == "created" || event.kind == "sandbox" {
            arrived.update(|n| *n += 1);
        }
    });

    view! {
        <div class="page-head">
            <h1>"Live feed"</h1>
            <div class="page-actions">
                <span class="muted small" data-testid="arrived" aria-live="polite">
                    {move || match arrived.get() {
                        0 => String::new(),
                        1 => "1 new since you opened this page".into(),
                        n => format!("{n} new since you opened this page"),
                    }}
                </span>
                <span class="badge" class:badge-live=move || connection.get() == Connection::Open data-testid="stream-status">
                    {move || match connection.get() {
                        Connection::Connecting => "Connecting…",
                        Connection::Open => "Streaming",
                        Connection::Retrying => "Reconnecting…",
                    }}
                </span>
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"The latest " {FEED_LIMIT} " conversions. New and changed ones appear here as they happen. Open a row for its postback log, deliveries and review actions. Times are in " <span data-testid="feed-zone">{reader_zone().name()}</span> "."</p>

        <Suspense fallback=|| view! { <p class="loading">"Loading filters…"</p> }>
            {move || Suspend::new(async move {
                let choices = choices.await.unwrap_or(FilterChoices { networks: vec![], publishers: vec![] });
                view! { <Filters filter choices /> }
            })}
        </Suspense>

        // The table is drawn in the browser only: rows change with every event, and a table the
        // server drew could disagree with the one being hydrated (a hydration panic).
        <Show when=move || mounted.get() fallback=|| view! { <p class="loading">"Loading conversions…"</p> }>
        <Transition fallback=|| view! { <p class="loading">"Loading conversions…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(base) => view! { <FeedTable base live sandbox filter names /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
        </Show>
    }
}

/// Sets one filter field from a select's change event.
fn on_pick(filter: RwSignal<FeedFilter>, field: &'static str) -> impl Fn(leptos::ev::Event) + Clone + 'static {
    move |ev| {
        let value = event_target_value(&ev);
        filter.update(|f| match field {
            "network" => f.network = value,
            "publisher" => f.publisher = value,
            "status" => f.status = value,
            _ => f.source = value,
        })
    }
}

#[component]
fn Filters(filter: RwSignal<FeedFilter>, choices: FilterChoices) -> impl IntoView {
    let filtered = move || filter.with(|f| *f != FeedFilter::default());
    let current = move |field: &'static str| {
        move || {
            filter.with(|f| match field {
                "network" => f.network.clone(),
                "publisher" => f.publisher.clone(),
                "status" => f.status.clone(),
                _ => f.source.clone(),
            })
        }
    };
    view! {
        <form class="toolbar filters" aria-label="Filter conversions" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span>"Network"</span>
                <select data-testid="filter-network" prop:value=current("network") on:change=on_pick(filter, "network")>
                    <option value="">"All networks"</option>
                    {choices.networks.into_iter().map(|n| {
                        let selected = filter.with_untracked(|f| f.network == n.id);
                        view! { <option value=n.id selected=selected>{n.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Publisher"</span>
                <select data-testid="filter-publisher" prop:value=current("publisher") on:change=on_pick(filter, "publisher")>
                    <option value="">"All publishers"</option>
                    {choices.publishers.into_iter().map(|p| {
                        let selected = filter.with_untracked(|f| f.publisher == p.id);
                        view! { <option value=p.id selected=selected>{p.name}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Status"</span>
                <select data-testid="filter-status" prop:value=current("status") on:change=on_pick(filter, "status")>
                    <option value="">"Any status"</option>
                    {ConversionState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=filter.with_untracked(|f| f.status == s.as_str())>{s.as_str().replace('_', " ")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Source"</span>
                <select data-testid="filter-source" prop:value=current("source") on:change=on_pick(filter, "source")>
                    <option value="">"Any source"</option>
                    {[("cpa", "CPA postback"), ("reward", "Reward game"), ("api", "Conversions API"), ("provider", "Offerwall provider")].into_iter().map(|(value, label)| view! {
                        <option value=value selected=filter.with_untracked(|f| f.source == value)>{label}</option>
                    }).collect_view()}
                </select>
            </label>
            <button type="button" class="btn btn-ghost" on:click=move |_| filter.set(FeedFilter::default()) disabled=move || !filtered()>"Clear filters"</button>
        </form>
    }
}

#[component]
fn FeedTable(
    base: Vec<Conversion>,
    live: RwSignal<Vec<Conversion>>,
    sandbox: RwSignal<HashSet<String>>,
    filter: RwSignal<FeedFilter>,
    names: Signal<Names>,
) -> impl IntoView {
    let base_ids = StoredValue::new(base.iter().map(|c| c.id.clone()).collect::<Vec<_>>());
    let rows = move || live.with(|l| filter.with_untracked(|f| merged(&base, l, f)));
    // Reward conversions show their coins, read in one call for the rows shown.
    let reward_ids = {
        let rows = rows.clone();
        move || rows().into_iter().filter(|c| c.source == "reward").map(|c| c.id).collect::<Vec<_>>()
    };
    let coins = LocalResource::new(move || {
        let ids = reward_ids();
        async move {
            if ids.is_empty() {
                Ok(Vec::new())
            } else {
                conversion_coins(ids).await
            }
        }
    });
    let coins_of =
        move |id: &str| coins.get().and_then(Result::ok).and_then(|found| found.into_iter().find(|(c, _)| c == id).map(|(_, n)| n));
    let is_empty = {
        let rows = rows.clone();
        move || rows().is_empty()
    };
    view! {
        <Show
            when=move || !is_empty()
            fallback=move || {
                if filter.with_untracked(|f| *f != FeedFilter::default()) {
                    view! {
                        <div class="empty" data-testid="feed-empty">
                            <h2>"No conversions match these filters"</h2>
                            <p>"Widen the filters or clear them; matching conversions will also appear here as they arrive."</p>
                        </div>
                    }.into_any()
                } else {
                    view! {
                        <div class="empty" data-testid="feed-empty">
                            <h2>"No conversions yet"</h2>
                            <p>"Keep this page open: conversions appear here the moment a network posts one, e.g. "
                                <code>"GET /api/postback/cpa?key=…&external_identifier=<publisher id>&amount=350&status=1&lead_id=…"</code>
                                ". A network needs a key and an approved IP first (admin API)."</p>
                        </div>
                    }.into_any()
                }
            }
        >
            <div class="table-wrap" tabindex="0" role="region" aria-label="Conversions">
                <table class="feed" data-testid="feed-table">
                    <thead>
                        <tr>
                            <th scope="col">{in_zone("Time")}</th>
                            <th scope="col">"Source"</th>
                            <th scope="col">"Network"</th>
                            <th scope="col">"Publisher"</th>
                            <th scope="col">"Offer"</th>
                            <th scope="col" class="num">"Amount"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Reasons"</th>
                        </tr>
                    </thead>
                    <tbody>
                        <For each=rows.clone() key=|c| (c.id.clone(), c.updated_at, c.state.as_str()) children=move |c: Conversion| {
                                let fresh = base_ids.with_value(|ids| !ids.contains(&c.id));
                                let in_sandbox = sandbox.with_untracked(|ids| ids.contains(&c.id));
                                let href = format!("/admin/conversions/{}", c.id);
                                let offer = c.offer_name.clone().or(c.offer_id.clone()).unwrap_or_else(|| "—".into());
                                let reasons = if c.reasons.is_empty() { "—".to_string() } else { c.reasons.join(", ").replace('_', " ") };
                                view! {
                                    <tr class:row-fresh=fresh data-id=c.id.clone() data-testid="feed-row" data-lead=c.lead_id.clone().unwrap_or_default()>
                                        <td class="nowrap">{if in_sandbox {
                                            // Nothing was stored: there are no details to open.
                                            view! { <span title="Sandbox call: checked and answered, not stored">{local_time(c.created_at)}</span> }.into_any()
                                        } else {
                                            view! { <a href=href title="Open details">{local_time(c.created_at)}</a> }.into_any()
                                        }}</td>
                                        <td>{c.source.clone()}</td>
                                        <td>{let id = c.network_id.clone(); move || names.with(|n| name_of(&n.networks, &id))}</td>
                                        <td>{let id = c.publisher_id.clone(); move || names.with(|n| name_of(&n.publishers, &id))}</td>
                                        <td class="clip" data-testid="feed-offer">{offer}</td>
                                        <td class="num" data-testid="feed-amount">{
                                            let (id, source, cents) = (c.id.clone(), c.source.clone(), c.amount_cents);
                                            move || conversion_worth(&source, cents, coins_of(&id))
                                        }</td>
                                        <td data-testid="feed-status">{if in_sandbox {
                                            view! { <StatusBadge status="sandbox" /> }.into_any()
                                        } else {
                                            view! { <StatusBadge status=c.state.as_str() /> }.into_any()
                                        }}</td>
                                        <td class="muted small">{reasons}</td>
                                    </tr>
                                }
                            }
                        />
                    </tbody>
                </table>
            </div>
        </Show>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(id: &str, state: ConversionState, updated_at: i64) -> Conversion {
        Conversion {
            id: id.into(),
            source: "cpa".into(),
            network_id: None,
            program_id: None,
            publisher_id: None,
            state,
            amount_cents: 1,
            network_status: None,
            reasons: vec![],
            lead_id: None,
            click_id: None,
            offer_id: None,
            offer_name: None,
            country_code: None,
            ip: None,
            s2: None,
            s1: None,
            uid: None,
            offerwall_id: None,
            catalog_offer_id: None,
            event_at: 0,
            created_at: 0,
            updated_at,
        }
    }

    #[test]
    fn new_rows_come_first_and_changed_rows_update_in_place() {
        let base = vec![c("b", ConversionState::Held, 1), c("a", ConversionState::Credited, 1)];
        let live = vec![c("new", ConversionState::Credited, 5), c("b", ConversionState::Credited, 4)];
        let rows = merged(&base, &live, &FeedFilter::default());
        let ids: Vec<_> = rows.iter().map(|r| (r.id.as_str(), r.state)).collect();
        assert_eq!(ids, vec![("new", ConversionState::Credited), ("b", ConversionState::Credited), ("a", ConversionState::Credited)]);
    }

    #[test]
    fn a_row_that_no_longer_matches_leaves_and_stale_events_are_ignored() {
        let held = FeedFilter { status: "held".into(), ..FeedFilter::default() };
        let base = vec![c("b", ConversionState::Held, 3)];
        assert!(merged(&base, &[c("b", ConversionState::Credited, 4)], &held).is_empty());
        let stale = merged(&base, &[c("b", ConversionState::Credited, 2)], &held);
        assert_eq!(stale[0].state, ConversionState::Held);
    }
}
