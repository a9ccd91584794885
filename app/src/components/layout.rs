//! The frame around signed-in pages: a top bar with the user and sign-out, and side navigation.

use leptos::prelude::*;

use crate::api::auth::Logout;

/// One entry of the side navigation. Sections that are not built yet are shown disabled.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
    pub ready: bool,
}

#[component]
pub fn Shell(
    #[prop(into)] area: String,
    #[prop(into)] email: String,
    nav: Vec<NavItem>,
    #[prop(into)] current: String,
    children: Children,
) -> impl IntoView {
    let logout = ServerAction::<Logout>::new();
    let nav = nav
        .into_iter()
        .map(|item| {
            let active = item.href == current;
            if item.ready {
                view! { <a href=item.href class="nav-item" class:active=active aria-current=active.then_some("page")>{item.label}</a> }
                    .into_any()
            } else {
                view! { <span class="nav-item disabled" aria-disabled="true" title="Coming soon">{item.label}</span> }.into_any()
            }
        })
        .collect_view();
    view! {
        <div class="app">
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " TapRain "
                    <span class="brand-area">{area}</span>
                </a>
                <div class="topbar-right">
                    <span class="who" data-testid="signed-in-as">{email}</span>
                    <ActionForm action=logout attr:class="inline">
                        <button type="submit" class="btn btn-ghost" data-testid="sign-out">"Sign out"</button>
                    </ActionForm>
                </div>
            </header>
            <div class="layout">
                <nav class="sidebar" aria-label="Sections">{nav}</nav>
                <main class="content">{children()}</main>
            </div>
        </div>
    }
}
