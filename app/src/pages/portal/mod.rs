//! The publisher portal: a guard that lets only publishers in, the navigation, and the screens.

mod postback;

pub use postback::PortalPostbackPage;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::auth::me;
use crate::api::error_message;
use crate::api::overview::portal_overview;
use crate::components::{LiveBadge, NavItem, Shell, StatCard};
use crate::domain::money::format_usd;
use crate::domain::Role;

fn portal_nav() -> Vec<NavItem> {
    let item = |label, href, ready| NavItem { label, href, ready };
    vec![
        item("Earnings", "/portal", true),
        item("Conversions", "/portal/conversions", false),
        item("Offerwalls", "/portal/offerwalls", false),
        item("Postback settings", "/portal/postback", true),
    ]
}

#[component]
pub fn PortalHome() -> impl IntoView {
    view! {
        <PortalPage title="Earnings" current="/portal">
            <Earnings />
        </PortalPage>
    }
}

/// A portal screen: signed-out visitors go to sign-in, admins to the dashboard. The server
/// functions behind the screen check the role (and take the publisher from the session) themselves.
#[component]
pub fn PortalPage(#[prop(into)] title: String, current: &'static str, children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| me());
    view! {
        <Title text=format!("{title} · TapRain") />
        <Suspense fallback=|| view! { <p class="loading page-loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) if user.role == Role::Publisher => {
                            view! {
                                <Shell area="Publisher" email=user.email nav=portal_nav() current=current>
                                    {children()}
                                </Shell>
                            }
                                .into_any()
                        }
                        Ok(Some(user)) => view! { <Redirect path=user.role.home() /> }.into_any(),
                        _ => view! { <Redirect path="/login" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

#[component]
fn Earnings() -> impl IntoView {
    let overview = Resource::new(|| (), |_| portal_overview());
    view! {
        <div class="page-head">
            <h1>"Earnings"</h1>
            <LiveBadge />
        </div>
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! {
                        <p class="muted">{o.name} " · publisher id " <code>{o.publisher_id}</code></p>
                        <section class="stats">
                            <StatCard label="Balance" value=format_usd(o.balance_cents) hint="Everything credited to you so far" test_id="balance" />
                        </section>
                    }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
