//! `/admin/reports`: conversions grouped by day, offer, country, network, s1 or s2 over a date
//! range in a chosen time zone, filtered by network and publisher; charts, a totals row, and
//! CSV exports of the report and of the conversions behind it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::conversions::feed_choices;
use crate::api::error_message;
use crate::api::reports::admin_report;
use crate::components::report_filters::{loaded_range, DateField, GroupSelect, ZoneSelect};
use crate::components::report_table::{conversion_bars, payout_bars};
use crate::components::{BarChart, CsvExport, LiveBadge, ReportTable};
use crate::domain::report::{ConversionParams, GroupBy, Report, ReportParams};

#[component]
pub fn AdminReportsPage() -> impl IntoView {
    view! {
        <AdminPage title="Reports" current="/admin/reports">
            <Reports />
        </AdminPage>
    }
}

/// Groups shown as charts: days all, other groups their largest this many.
const CHART_GROUPS: usize = 12;

#[component]
fn Reports() -> impl IntoView {
    let query = use_query_map();
    let initial = |name: &str| query.with_untracked(|q| q.get(name).unwrap_or_default());
    let group = RwSignal::new(initial("group"));
    let from = RwSignal::new(initial("from"));
    let to = RwSignal::new(initial("to"));
    let tz = RwSignal::new(initial("tz"));
    let network = RwSignal::new(initial("network"));
    let publisher = RwSignal::new(initial("publisher"));
    let params = Memo::new(move |_| ReportParams {
        group: group.get(),
        from: from.get(),
        to: to.get(),
        tz: tz.get(),
        network: network.get(),
        publisher: publisher.get(),
    });
    let report = Resource::new(move || params.get(), admin_report);
    let choices = Resource::new(|| (), |_| feed_choices());
    let (shown_from, shown_to) = loaded_range(report, |r: &Report| (r.from.clone(), r.to.clone()));
    let report_csv = Signal::derive(move || format!("/api/admin/reports.csv?{}", params.with(ReportParams::query_string)));
    let conversions_csv = Signal::derive(move || {
        let p = params.get();
        let filter = ConversionParams {
            from: p.from,
            to: p.to,
            tz: p.tz,
            network: p.network,
            publisher: p.publisher,
            ..ConversionParams::default()
        };
        format!("/api/admin/conversions.csv?{}", filter.query_string())
    });
    let report_name = Signal::derive(move || {
        format!("taprain-report-{}.csv", params.with(|p| if p.group.is_empty() { "day".into() } else { p.group.clone() }))
    });
    view! {
        <div class="page-head">
            <h1>"Reports"</h1>
            <div class="page-actions">
                <CsvExport href=report_csv filename=report_name label="Export report CSV" test_id="export-report" />
                <CsvExport href=conversions_csv filename="taprain-conversions.csv" label="Export conversions CSV" test_id="export-conversions" />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Conversions by the day they arrived, cut at midnight in the chosen time zone (days around DST changes last 23 or 25 hours). Payout counts what is credited to publishers; held and reversed conversions pay nothing."</p>
        <form class="toolbar filters" aria-label="Report options" on:submit=|ev| ev.prevent_default()>
            <GroupSelect value=group groups=GroupBy::ALL.to_vec() test_id="report-group" />
            <DateField label="From" value=from shown=shown_from test_id="report-from" />
            <DateField label="To" value=to shown=shown_to test_id="report-to" />
            <ZoneSelect value=tz test_id="report-tz" />
            <Suspense fallback=|| view! { <span class="loading">"Loading filters…"</span> }>
                {move || Suspend::new(async move {
                    let choices = choices.await.ok();
                    let (networks, publishers) = choices.map(|c| (c.networks, c.publishers)).unwrap_or_default();
                    view! {
                        <label class="field">
                            <span>"Network"</span>
                            <select data-testid="report-network" prop:value=move || network.get() on:change=move |ev| network.set(event_target_value(&ev))>
                                <option value="">"All networks"</option>
                                {networks.into_iter().map(|n| {
                                    let selected = network.with_untracked(|c| *c == n.id);
                                    view! { <option value=n.id selected=selected>{n.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Publisher"</span>
                            <select data-testid="report-publisher" prop:value=move || publisher.get() on:change=move |ev| publisher.set(event_target_value(&ev))>
                                <option value="">"All publishers"</option>
                                {publishers.into_iter().map(|p| {
                                    let selected = publisher.with_untracked(|c| *c == p.id);
                                    view! { <option value=p.id selected=selected>{p.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Suspense>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading report…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(report) => view! { <ReportView report /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="report-error">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn ReportView(report: Report) -> impl IntoView {
    let summary = format!("{} to {} · {}", report.from, report.to, report.tz);
    let empty = report.totals.conversions == 0;
    let truncated = report.truncated;
    let by_day = report.group == GroupBy::Day;
    let what = if by_day { "by day".to_string() } else { format!("by {}", report.group.label().to_lowercase()) };
    let top = if by_day { String::new() } else { format!(" (largest {CHART_GROUPS})") };
    let conversions = conversion_bars(&report, CHART_GROUPS);
    let payouts = payout_bars(&report, CHART_GROUPS);
    view! {
        <p class="muted small" data-testid="report-summary">{summary}</p>
        {if empty {
            view! {
                <div class="empty" data-testid="report-empty">
                    <h2>"No conversions in this range"</h2>
                    <p>"Widen the dates or clear the network and publisher filters. Conversions are counted here as networks post them."</p>
                </div>
            }.into_any()
        } else {
            view! {
                <section class="charts">
                    <div class="card">
                        <BarChart title=format!("Conversions {what}{top}") bars=conversions test_id="report-chart-conversions" />
                    </div>
                    <div class="card">
                        <BarChart title=format!("Payouts {what}{top}") bars=payouts test_id="report-chart-payouts" />
                    </div>
                </section>
            }.into_any()
        }}
        {truncated.then(|| view! { <p class="alert alert-info" role="status">"Only the largest groups are listed here; the report CSV holds them all."</p> })}
        <ReportTable report test_id="report-table" />
    }
}
