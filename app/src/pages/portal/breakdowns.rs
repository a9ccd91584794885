//! `/portal/breakdowns`: the publisher's conversions and earnings by day, offer, country, s1 or
//! s2 — the admin's report service, restricted to this publisher by the server.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::PortalPage;
use crate::api::error_message;
use crate::api::portal::portal_report;
use crate::components::report_filters::{loaded_range, DateField, GroupSelect, ZoneSelect};
use crate::components::report_table::{conversion_bars, payout_bars};
use crate::components::{BarChart, LiveBadge, ReportTable};
use crate::domain::report::{GroupBy, Report, ReportParams};

/// What a publisher may group by (networks are the platform's business).
const GROUPS: [GroupBy; 5] = [GroupBy::Day, GroupBy::Offer, GroupBy::Country, GroupBy::S1, GroupBy::S2];

#[component]
pub fn PortalBreakdownsPage() -> impl IntoView {
    view! {
        <PortalPage title="Breakdowns" current="/portal/breakdowns">
            <Breakdowns />
        </PortalPage>
    }
}

#[component]
fn Breakdowns() -> impl IntoView {
    let query = use_query_map();
    let initial = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let group = RwSignal::new(initial("group"));
    let from = RwSignal::new(initial("from"));
    let to = RwSignal::new(initial("to"));
    let tz = RwSignal::new(initial("tz"));
    let params =
        Memo::new(move |_| ReportParams { group: group.get(), from: from.get(), to: to.get(), tz: tz.get(), ..ReportParams::default() });
    let report = Resource::new(move || params.get(), portal_report);
    let (shown_from, shown_to) = loaded_range(report, |r: &Report| (r.from.clone(), r.to.clone()));
    view! {
        <div class="page-head">
            <h1>"Breakdowns"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"Your conversions and earnings split by day, offer, country or sub-ID (s1, s2 from your share URLs). Days are cut at midnight in the chosen time zone."</p>
        <form class="toolbar filters" aria-label="Breakdown options" on:submit=|ev| ev.prevent_default()>
            <GroupSelect value=group groups=GROUPS.to_vec() test_id="breakdown-group" />
            <DateField label="From" value=from shown=shown_from test_id="breakdown-from" />
            <DateField label="To" value=to shown=shown_to test_id="breakdown-to" />
            <ZoneSelect value=tz test_id="breakdown-tz" />
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading breakdown…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <Breakdown report /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="breakdown-error">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Breakdown(report: Report) -> impl IntoView {
    let what = if report.group == GroupBy::Day { "by day".to_string() } else { format!("by {} (largest 12)", report.group.label()) };
    let empty = report.totals.conversions == 0;
    let conversions = conversion_bars(&report, 12);
    let payouts = payout_bars(&report, 12);
    view! {
        <p class="muted small" data-testid="breakdown-summary">{format!("{} to {} · {}", report.from, report.to, report.tz)}</p>
        {if empty {
            view! {
                <div class="empty" data-testid="breakdown-empty">
                    <h2>"No conversions in this range"</h2>
                    <p>"Widen the dates. Add " <code>"s1"</code> " and " <code>"s2"</code> " to your " <a href="/portal/offerwalls">"share URLs"</a> " to see which placements earn."</p>
                </div>
            }.into_any()
        } else {
            view! {
                <section class="charts">
                    <div class="card"><BarChart title=format!("Conversions {what}") bars=conversions test_id="breakdown-chart-conversions" /></div>
                    <div class="card"><BarChart title=format!("Earnings {what}") bars=payouts test_id="breakdown-chart-payouts" /></div>
                </section>
            }.into_any()
        }}
        <ReportTable report test_id="breakdown-table" />
    }
}
