//! `/admin`: today's figures, what needs attention, and the last days as charts.

use leptos::prelude::*;

use super::AdminPage;
use crate::api::error_message;
use crate::api::overview::{admin_overview, AdminStats, CHART_DAYS};
use crate::components::reader_zone::reader_zone;
use crate::components::{Bar, BarChart, LiveBadge, StatCard};
use crate::domain::money::format_usd;
use crate::domain::when::short_day;

#[component]
pub fn AdminDashboard() -> impl IntoView {
    view! {
        <AdminPage title="Overview" current="/admin">
            <Overview />
        </AdminPage>
    }
}

#[component]
fn Overview() -> impl IntoView {
    let overview = Resource::new(|| (), |_| admin_overview());
    let (refreshes, set_refreshes) = signal(0u32);
    let refresh = move |_| {
        set_refreshes.update(|n| *n += 1);
        overview.refetch();
    };
    let zone = reader_zone().name();
    view! {
        <div class="page-head">
            <h1>"Overview"</h1>
            <div class="page-actions">
                <LiveBadge />
                <a class="btn btn-ghost" href="/api/docs" rel="external" data-testid="api-docs-link">"API docs"</a>
                <button class="btn" on:click=refresh data-testid="refresh">"Refresh"</button>
            </div>
        </div>
        <p class="muted" data-testid="refresh-count">
            {move || match refreshes.get() {
                0 => format!("Figures as of page load; days are cut in {zone}."),
                1 => "Refreshed 1 time without reloading.".to_string(),
                n => format!("Refreshed {n} times without reloading."),
            }}
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(stats) => view! { <Figures stats /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Figures(stats: AdminStats) -> impl IntoView {
    let f = stats.figures;
    let conversions: Vec<Bar> =
        f.days.iter().map(|d| Bar { label: short_day(d.day_start), value: d.conversions, display: d.conversions.to_string() }).collect();
    let payouts: Vec<Bar> =
        f.days.iter().map(|d| Bar { label: short_day(d.day_start), value: d.payout_cents, display: format_usd(d.payout_cents) }).collect();
    let nothing_yet = stats.networks == 0 && stats.publishers == 0;
    let quiet = f.days.iter().all(|d| d.conversions == 0);
    view! {
        <section class="stats">
            <StatCard label="Conversions today" value=f.today_conversions.to_string() hint=format!("Received since 00:00 {}", stats.time_zone) test_id="today-conversions" />
            <StatCard label="Payouts today" value=format_usd(f.today_payout_cents) hint="Credited to publishers today" test_id="today-payouts" />
            <a class="stat stat-link" class:stat-attention={f.held > 0} href="/admin/feed?status=held">
                <div class="stat-label">"Held for review"</div>
                <div class="stat-value" data-testid="held-count">{f.held}</div>
                <div class="stat-hint">{if f.held > 0 { "Approve or reject them in the live feed →" } else { "Nothing waits for you" }}</div>
            </a>
            <a class="stat stat-link" class:stat-attention={f.delivery_failures > 0} href="/admin/deliveries?status=failed">
                <div class="stat-label">"Delivery failures"</div>
                <div class="stat-value" data-testid="delivery-failures">{f.delivery_failures}</div>
                <div class="stat-hint">{if f.delivery_failures > 0 { "Postbacks publishers did not accept — resend →" } else { "Every postback reached its publisher" }}</div>
            </a>
            <StatCard label="Networks" value=stats.networks.to_string() hint="Ad networks that may post to you" test_id="count-networks" />
            <StatCard label="Publishers" value=stats.publishers.to_string() hint="Accounts TapRain pays" test_id="count-publishers" />
        </section>
        {nothing_yet.then(|| view! {
            <div class="empty">
                <h2>"Nothing here yet"</h2>
                <p>"Create a network and a publisher with the admin API (" <code>"POST /api/admin/networks"</code> ", " <code>"POST /api/admin/publishers"</code> ") to start receiving postbacks. The API is described in the " <a href="/api/docs" rel="external">"API docs"</a> "."</p>
            </div>
        })}
        <section class="charts">
            <div class="card">
                <BarChart title=format!("Conversions, last {CHART_DAYS} days") bars=conversions test_id="chart-conversions" />
            </div>
            <div class="card">
                <BarChart title=format!("Payouts, last {CHART_DAYS} days") bars=payouts test_id="chart-payouts" />
            </div>
        </section>
        {(quiet && !nothing_yet).then(|| view! {
            <p class="muted">"No conversions in the last " {CHART_DAYS} " days. They appear here as networks post them; watch them arrive in the " <a href="/admin/feed">"live feed"</a> "."</p>
        })}
    }
}
