//! The admin dashboard.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::auth::me;
use crate::api::error_message;
use crate::api::overview::admin_overview;
use crate::components::{LiveBadge, NavItem, Shell, StatCard};
use crate::domain::Role;

/// The admin areas; later ones appear disabled until they are built.
pub fn admin_nav() -> Vec<NavItem> {
    let item = |label, href, ready| NavItem { label, href, ready };
    vec![
        item("Overview", "/admin", true),
        item("Live feed", "/admin/feed", false),
        item("Networks", "/admin/networks", false),
        item("Publishers", "/admin/publishers", false),
        item("Offers", "/admin/offers", false),
        item("Offerwalls", "/admin/offerwalls", false),
        item("Reward apps", "/admin/reward", false),
        item("Programs", "/admin/programs", false),
        item("Reports", "/admin/reports", false),
        item("Audit log", "/admin/audit", false),
    ]
}

#[component]
pub fn AdminDashboard() -> impl IntoView {
    let me = Resource::new(|| (), |_| me());
    view! {
        <Title text="Overview · TapRain admin" />
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) if user.role == Role::Admin => {
                        view! {
                            <Shell area="Admin" email=user.email nav=admin_nav() current="/admin">
                                <Overview />
                            </Shell>
                        }
                            .into_any()
                    }
                    Ok(Some(user)) => view! { <Redirect path=user.role.home() /> }.into_any(),
                    _ => view! { <Redirect path="/login" /> }.into_any(),
                }
            })}
        </Suspense>
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
    view! {
        <div class="page-head">
            <h1>"Overview"</h1>
            <div class="page-actions">
                <LiveBadge />
                <button class="btn" on:click=refresh data-testid="refresh">"Refresh"</button>
            </div>
        </div>
        <p class="muted" data-testid="refresh-count">
            {move || match refreshes.get() {
                0 => "Figures as of page load.".to_string(),
                1 => "Refreshed 1 time without reloading.".to_string(),
                n => format!("Refreshed {n} times without reloading."),
            }}
        </p>
        <Transition fallback=|| view! { <p class="loading">"Loading figures…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => {
                        view! {
                            <section class="stats">
                                <StatCard label="Networks" value=o.networks.to_string() hint="Ad networks that may post to you" test_id="count-networks" />
                                <StatCard label="Publishers" value=o.publishers.to_string() hint="Accounts TapRain pays" test_id="count-publishers" />
                            </section>
                            {(o.networks == 0 && o.publishers == 0).then(|| view! {
                                <div class="empty">
                                    <h2>"Nothing here yet"</h2>
                                    <p>"Create a network and a publisher with the admin API (" <code>"POST /api/admin/networks"</code> ", " <code>"POST /api/admin/publishers"</code> ") to start receiving postbacks. The API is described at " <a href="/api/openapi.json">"/api/openapi.json"</a> "."</p>
                                </div>
                            })}
                        }
                            .into_any()
                    }
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
