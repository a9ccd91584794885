//! The one page shell of the signed-in areas, the admin dashboard and the publisher portal: the
//! role check, the title, the navigation of the role's area. A visitor who is not signed in is
//! sent to sign in, a person of the other role to their own home. (The server answers those
//! with a 302 before drawing the page; this covers navigation inside the app.) The server
//! functions behind each screen check the role again themselves.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

use crate::api::auth::me;
use crate::components::{NavItem, Shell};
use crate::domain::Role;

/// The sections of `role`'s area.
pub fn area_nav(role: Role) -> Vec<NavItem> {
    let item = |label, href| NavItem { label, href };
    match role {
        Role::Admin => vec![
            item("Overview", "/admin"),
            item("Live feed", "/admin/feed"),
            item("Deliveries", "/admin/deliveries"),
            item("Health", "/admin/health"),
            item("Secrets", "/admin/secrets"),
            item("Networks", "/admin/networks"),
            item("Publishers", "/admin/publishers"),
            item("Offers", "/admin/offers"),
            item("Offerwalls", "/admin/offerwalls"),
            item("Reward apps", "/admin/reward"),
            item("Programs", "/admin/programs"),
            item("Providers", "/admin/providers"),
            item("Reports", "/admin/reports"),
            item("Audit log", "/admin/audit"),
        ],
        Role::Publisher => vec![
            item("Earnings", "/portal"),
            item("Conversions", "/portal/conversions"),
            item("Breakdowns", "/portal/breakdowns"),
            item("Offerwalls", "/portal/offerwalls"),
            item("Postback settings", "/portal/postback"),
        ],
    }
}

#[component]
pub fn RolePage(role: Role, #[prop(into)] title: String, current: &'static str, children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| me());
    let (area, suffix) = match role {
        Role::Admin => ("Admin", "TapRain admin"),
        Role::Publisher => ("Publisher", "TapRain"),
    };
    view! {
        <Title text=format!("{title} · {suffix}") />
        <Suspense fallback=|| view! { <p class="loading page-loading" aria-busy="true">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) if user.role == role => view! {
                            <Shell area email=user.email nav=area_nav(role) current=current time_zone=user.time_zone>
                                {children()}
                            </Shell>
                        }
                        .into_any(),
                        Ok(Some(user)) => view! { <Redirect path=user.role.home() /> }.into_any(),
                        _ => view! { <Redirect path="/login" /> }.into_any(),
                    }
                })
            }}
        </Suspense>
    }
}

/// An admin screen in the [`RolePage`] shell.
#[component]
pub fn AdminPage(#[prop(into)] title: String, current: &'static str, children: ChildrenFn) -> impl IntoView {
    view! { <RolePage role=Role::Admin title current children /> }
}

/// A portal screen in the [`RolePage`] shell.
#[component]
pub fn PortalPage(#[prop(into)] title: String, current: &'static str, children: ChildrenFn) -> impl IntoView {
    view! { <RolePage role=Role::Publisher title current children /> }
}
