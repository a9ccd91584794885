//! The admin dashboard: a guard that lets only admins in, the navigation, and one module per screen.

mod admin_tokens;
mod audit;
mod conversion;
mod deliveries;
mod feed;
mod network;
mod networks;
mod offers;
mod offerwall;
mod offerwalls;
mod overview;
mod program;
mod programs;
mod provider;
mod providers;
mod publisher;
mod publishers;
mod reports;
mod reward;
mod reward_user;
mod secrets;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;

pub use audit::AdminAuditPage;
pub use conversion::AdminConversionPage;
pub use deliveries::AdminDeliveriesPage;
pub use feed::AdminFeedPage;
pub use network::AdminNetworkPage;
pub use networks::AdminNetworksPage;
pub use offers::AdminOffersPage;
pub use offerwall::AdminOfferwallPage;
pub use offerwalls::AdminOfferwallsPage;
pub use overview::AdminDashboard;
pub use program::AdminProgramPage;
pub use programs::AdminProgramsPage;
pub use provider::AdminProviderPage;
pub use providers::AdminProvidersPage;
pub use publisher::AdminPublisherPage;
pub use publishers::AdminPublishersPage;
pub use reports::AdminReportsPage;
pub use reward::AdminRewardPage;
pub use reward_user::AdminRewardUserPage;
pub use secrets::AdminSecretsPage;

use crate::api::auth::me;
use crate::components::{NavItem, Shell};
use crate::domain::Role;

/// The admin areas; later ones appear disabled until they are built.
pub fn admin_nav() -> Vec<NavItem> {
    let item = |label, href, ready| NavItem { label, href, ready };
    vec![
        item("Overview", "/admin", true),
        item("Live feed", "/admin/feed", true),
        item("Deliveries", "/admin/deliveries", true),
        item("Secrets", "/admin/secrets", true),
        item("Networks", "/admin/networks", true),
        item("Publishers", "/admin/publishers", true),
        item("Offers", "/admin/offers", true),
        item("Offerwalls", "/admin/offerwalls", true),
        item("Reward apps", "/admin/reward", true),
        item("Programs", "/admin/programs", true),
        item("Providers", "/admin/providers", true),
        item("Reports", "/admin/reports", true),
        item("Audit log", "/admin/audit", true),
    ]
}

/// An admin screen: signed-out visitors go to sign-in, publishers to their portal. The server
/// functions behind the screen check the role again themselves.
#[component]
pub fn AdminPage(#[prop(into)] title: String, current: &'static str, children: ChildrenFn) -> impl IntoView {
    let me = Resource::new(|| (), |_| me());
    view! {
        <Title text=format!("{title} · TapRain admin") />
        <Suspense fallback=|| view! { <p class="loading page-loading">"Loading…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match me.await {
                        Ok(Some(user)) if user.role == Role::Admin => {
                            view! {
                                <Shell area="Admin" email=user.email nav=admin_nav() current=current>
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
