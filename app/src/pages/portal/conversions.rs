//! `/portal/conversions`: the publisher's own conversions with filters (status, offer, dates,
//! s1) and a CSV export of everything that matches.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::PortalPage;
use crate::api::error_message;
use crate::api::portal::{portal_conversions, PORTAL_CONVERSIONS_LIMIT};
use crate::components::report_filters::{loaded_range, DateField, ZoneSelect};
use crate::components::{CsvExport, LiveBadge, StatusBadge};
use crate::domain::conversion::ConversionState;
use crate::domain::money::format_usd;
use crate::domain::report::{ConversionListing, ConversionParams, PublisherConversion};

#[component]
pub fn PortalConversionsPage() -> impl IntoView {
    view! {
        <PortalPage title="Conversions" current="/portal/conversions">
            <Conversions />
        </PortalPage>
    }
}

#[component]
fn Conversions() -> impl IntoView {
    let query = use_query_map();
    let initial = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let from = RwSignal::new(initial("from"));
    let to = RwSignal::new(initial("to"));
    let tz = RwSignal::new(initial("tz"));
    let status = RwSignal::new(initial("status"));
    let offer = RwSignal::new(initial("offer"));
    let s1 = RwSignal::new(initial("s1"));
    let params = Memo::new(move |_| ConversionParams {
        from: from.get(),
        to: to.get(),
        tz: tz.get(),
        status: status.get(),
        offer: offer.get(),
        s1: s1.get(),
        ..ConversionParams::default()
    });
    let listing = Resource::new(move || params.get(), portal_conversions);
    let (shown_from, shown_to) = loaded_range(listing, |l: &ConversionListing| (l.from.clone(), l.to.clone()));
    let csv = Signal::derive(move || format!("/portal/conversions.csv?{}", params.with(ConversionParams::query_string)));
    let filtered = move || params.with(|p| !(p.status.is_empty() && p.offer.is_empty() && p.s1.is_empty()));
    let clear = move |_| {
        status.set(String::new());
        offer.set(String::new());
        s1.set(String::new());
    };
    view! {
        <div class="page-head">
            <h1>"Conversions"</h1>
            <div class="page-actions">
                <CsvExport href=csv filename="taprain-conversions.csv" test_id="export-conversions" />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Your conversions, newest first (the last 30 days unless you choose dates). Times are in the chosen time zone. The export holds every matching conversion; the table the latest " {PORTAL_CONVERSIONS_LIMIT} "."</p>
        <form class="toolbar filters" aria-label="Filter conversions" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span>"Status"</span>
                <select data-testid="filter-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                    <option value="">"Any status"</option>
                    {ConversionState::ALL.into_iter().map(|s| view! {
                        <option value=s.as_str() selected=status.with_untracked(|c| c == s.as_str())>{s.as_str().replace('_', " ")}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span>"Offer"</span>
                <input type="search" placeholder="Offer id or name" data-testid="filter-offer" prop:value=move || offer.get()
                    on:change=move |ev| offer.set(event_target_value(&ev)) />
            </label>
            <label class="field">
                <span>"s1"</span>
                <input type="search" placeholder="Exact s1" data-testid="filter-s1" prop:value=move || s1.get()
                    on:change=move |ev| s1.set(event_target_value(&ev)) />
            </label>
            <DateField label="From" value=from shown=shown_from test_id="filter-from" />
            <DateField label="To" value=to shown=shown_to test_id="filter-to" />
            <ZoneSelect value=tz test_id="filter-tz" />
            <button type="button" class="btn btn-ghost" on:click=clear disabled=move || !filtered()>"Clear filters"</button>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading conversions…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(listing) if listing.rows.is_empty() => view! {
                        <div class="empty" data-testid="conversions-empty">
                            {if filtered() {
                                view! { <h2>"No conversions match these filters"</h2><p>"Clear the filters or widen the dates."</p> }.into_any()
                            } else {
                                view! { <h2>"No conversions in this range"</h2><p>"Share your " <a href="/portal/offerwalls">"offerwalls"</a> "; conversions appear here when networks report them."</p> }.into_any()
                            }}
                        </div>
                    }.into_any(),
                    Ok(listing) => view! { <ConversionTable rows=listing.rows zone=listing.tz /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="conversions-error">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ConversionTable(rows: Vec<PublisherConversion>, zone: String) -> impl IntoView {
    let count = rows.len();
    view! {
        <p class="muted small" data-testid="conversions-count">{format!("{count} shown · times in {zone}")}</p>
        <div class="table-wrap" tabindex="0" role="region" aria-label="Conversions">
            <table data-testid="conversions-table">
                <thead>
                    <tr>
                        <th scope="col">"Time"</th>
                        <th scope="col">"Offer"</th>
                        <th scope="col">"Country"</th>
                        <th scope="col">"s1"</th>
                        <th scope="col">"s2"</th>
                        <th scope="col" class="num">"Payout"</th>
                        <th scope="col">"Status"</th>
                    </tr>
                </thead>
                <tbody>
                    {rows.into_iter().map(|c| {
                        let offer = c.offer_name.clone().or(c.offer_id.clone()).unwrap_or_else(|| "—".into());
                        let dash = |v: Option<String>| v.filter(|v| !v.is_empty()).unwrap_or_else(|| "—".into());
                        view! {
                            <tr data-testid="conversion-row" data-id=c.id.clone()>
                                <td class="nowrap">{c.time.clone()}</td>
                                <td class="clip">{offer}</td>
                                <td>{dash(c.country_code)}</td>
                                <td class="clip" data-col="s1">{dash(c.s1)}</td>
                                <td class="clip">{dash(c.s2)}</td>
                                <td class="num">{format_usd(c.payout_cents)}</td>
                                <td><StatusBadge status=c.state.as_str() /></td>
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
