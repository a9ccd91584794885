//! The publisher portal: its screens, each in the publisher's [`PortalPage`] shell.

mod breakdowns;
mod conversions;
mod offerwalls;
mod postback;

pub use breakdowns::PortalBreakdownsPage;
pub use conversions::PortalConversionsPage;
pub use offerwalls::PortalOfferwallsPage;
pub use postback::PortalPostbackPage;

pub use crate::pages::role_page::PortalPage;

use leptos::prelude::*;

use crate::api::error_message;
use crate::api::overview::portal_overview;
use crate::api::portal::portal_earnings;
use crate::components::report_filters::ZoneSelect;
use crate::components::report_table::axis_label;
use crate::components::{Bar, BarChart, LiveBadge, StatCard};
use crate::domain::money::format_usd;
use crate::domain::report::{Earnings, GroupBy};

#[component]
pub fn PortalHome() -> impl IntoView {
    view! {
        <PortalPage title="Earnings" current="/portal">
            <Earnings />
        </PortalPage>
    }
}

#[component]
fn Earnings() -> impl IntoView {
    let overview = Resource::new(|| (), |_| portal_overview());
    let tz = RwSignal::new(String::new());
    let earnings = Resource::new(move || tz.get(), portal_earnings);
    view! {
        <div class="page-head">
            <h1>"Earnings"</h1>
            <LiveBadge />
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                overview.await.ok().map(|o| view! { <p class="muted">{o.name} " · publisher id " <code>{o.publisher_id}</code></p> })
            })}
        </Suspense>
        <form class="toolbar filters" aria-label="Earnings options" on:submit=|ev| ev.prevent_default()>
            <ZoneSelect value=tz test_id="earnings-tz" />
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading earnings…"</p> }>
            {move || Suspend::new(async move {
                match (earnings.await, overview.await) {
                    (Ok(e), Ok(o)) => view! { <EarningsFigures earnings=e balance_cents=o.balance_cents /> }.into_any(),
                    (Err(err), _) | (_, Err(err)) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn EarningsFigures(earnings: Earnings, balance_cents: i64) -> impl IntoView {
    let payouts: Vec<Bar> = earnings
        .days
        .iter()
        .map(|d| Bar { label: axis_label(GroupBy::Day, d), value: d.payout_cents, display: format_usd(d.payout_cents) })
        .collect();
    let conversions: Vec<Bar> = earnings
        .days
        .iter()
        .map(|d| Bar { label: axis_label(GroupBy::Day, d), value: d.conversions, display: d.conversions.to_string() })
        .collect();
    let quiet = earnings.last_30_cents == 0 && earnings.days.iter().all(|d| d.conversions == 0);
    view! {
        <section class="stats">
            <StatCard label="Today" value=format_usd(earnings.today_cents) hint="Credited since midnight" test_id="earnings-today" />
            <StatCard label="Last 7 days" value=format_usd(earnings.last_7_cents) hint="Today and the 6 days before" test_id="earnings-7" />
            <StatCard label="Last 30 days" value=format_usd(earnings.last_30_cents) hint="Today and the 29 days before" test_id="earnings-30" />
            <StatCard label="Balance" value=format_usd(balance_cents) hint="Everything credited to you so far" test_id="balance" />
        </section>
        <section class="charts">
            <div class="card">
                <BarChart title="Earnings by day, last 30 days" bars=payouts test_id="chart-earnings" />
            </div>
            <div class="card">
                <BarChart title="Conversions by day, last 30 days" bars=conversions test_id="chart-conversions" />
            </div>
        </section>
        {quiet.then(|| view! {
            <div class="empty" data-testid="earnings-empty">
                <h2>"No earnings in the last 30 days"</h2>
                <p>"Share one of your " <a href="/portal/offerwalls">"offerwalls"</a> " with your users; credited conversions show up here and in " <a href="/portal/conversions">"Conversions"</a> "."</p>
            </div>
        })}
    }
}
