//! The HTML shell and the route table.

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Stylesheet, Title};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode, StaticSegment};

use crate::pages::admin::{
    AdminAuditPage, AdminConversionPage, AdminDashboard, AdminDeliveriesPage, AdminFeedPage, AdminHealthPage, AdminNetworkPage,
    AdminNetworksPage, AdminOffersPage, AdminOfferwallPage, AdminOfferwallsPage, AdminProgramPage, AdminProgramsPage, AdminProviderPage,
    AdminProvidersPage, AdminPublisherPage, AdminPublishersPage, AdminReportsPage, AdminRewardPage, AdminRewardUserPage, AdminSecretsPage,
};
use crate::pages::auth::LoginPage;
use crate::pages::not_found::NotFound;
use crate::pages::portal::{PortalBreakdownsPage, PortalConversionsPage, PortalHome, PortalOfferwallsPage, PortalPostbackPage};

/// The document around every page. On the server it also sets the page's CSP with this
/// response's nonce, so only our own hydration script may run.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_page_csp();
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light dark" />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <AutoReload options=options.clone() />
                <HydrationScripts options />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[cfg(feature = "ssr")]
fn set_page_csp() {
    use http::header::{HeaderValue, CONTENT_SECURITY_POLICY};
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; style-src 'self' 'unsafe-inline'; \
         img-src 'self' data: https:; connect-src 'self'; frame-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
    );
    if let (Some(options), Ok(value)) = (use_context::<leptos_axum::ResponseOptions>(), HeaderValue::from_str(&policy)) {
        options.insert_header(CONTENT_SECURITY_POLICY, value);
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Stylesheet id="leptos" href="/pkg/taprain.css" />
        <Title text="TapRain" />
        <Router>
            <Routes fallback=NotFound>
                <Route path=StaticSegment("") view=LoginPage />
                <Route path=StaticSegment("login") view=LoginPage />
                <Route path=StaticSegment("admin") view=AdminDashboard ssr=SsrMode::Async />
                <Route path=path!("/admin/feed") view=AdminFeedPage ssr=SsrMode::Async />
                <Route path=path!("/admin/health") view=AdminHealthPage ssr=SsrMode::Async />
                <Route path=path!("/admin/conversions/:id") view=AdminConversionPage ssr=SsrMode::Async />
                <Route path=path!("/admin/deliveries") view=AdminDeliveriesPage ssr=SsrMode::Async />
                <Route path=path!("/admin/offers") view=AdminOffersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/offerwalls") view=AdminOfferwallsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/offerwalls/:id") view=AdminOfferwallPage ssr=SsrMode::Async />
                <Route path=path!("/admin/reward") view=AdminRewardPage ssr=SsrMode::Async />
                <Route path=path!("/admin/reward/users/:id") view=AdminRewardUserPage ssr=SsrMode::Async />
                <Route path=path!("/admin/audit") view=AdminAuditPage ssr=SsrMode::Async />
                <Route path=path!("/admin/secrets") view=AdminSecretsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/networks") view=AdminNetworksPage ssr=SsrMode::Async />
                <Route path=path!("/admin/networks/:id") view=AdminNetworkPage ssr=SsrMode::Async />
                <Route path=path!("/admin/providers") view=AdminProvidersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/providers/:id") view=AdminProviderPage ssr=SsrMode::Async />
                <Route path=path!("/admin/publishers") view=AdminPublishersPage ssr=SsrMode::Async />
                <Route path=path!("/admin/publishers/:id") view=AdminPublisherPage ssr=SsrMode::Async />
                <Route path=path!("/admin/programs") view=AdminProgramsPage ssr=SsrMode::Async />
                <Route path=path!("/admin/programs/:id") view=AdminProgramPage ssr=SsrMode::Async />
                <Route path=path!("/admin/reports") view=AdminReportsPage ssr=SsrMode::Async />
                <Route path=path!("/portal") view=PortalHome ssr=SsrMode::Async />
                <Route path=path!("/portal/postback") view=PortalPostbackPage ssr=SsrMode::Async />
                <Route path=path!("/portal/conversions") view=PortalConversionsPage ssr=SsrMode::Async />
                <Route path=path!("/portal/breakdowns") view=PortalBreakdownsPage ssr=SsrMode::Async />
                <Route path=path!("/portal/offerwalls") view=PortalOfferwallsPage ssr=SsrMode::Async />
            </Routes>
        </Router>
    }
}
