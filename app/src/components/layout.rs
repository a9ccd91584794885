//! The frame around signed-in pages: a skip link to the content, a top bar with the user and
//! sign-out, and side navigation.

use leptos::prelude::*;

use super::reader_zone::{ReaderZone, TimeZoneSetting};
use crate::api::auth::Logout;

/// One entry of the side navigation.
#[derive(Clone, Debug)]
pub struct NavItem {
    pub label: &'static str,
    pub href: &'static str,
}

#[component]
pub fn Shell(
    #[prop(into)] area: String,
    #[prop(into)] email: String,
    nav: Vec<NavItem>,
    #[prop(into)] current: String,
    /// The IANA zone the signed-in person reads times in.
    #[prop(into)]
    time_zone: String,
    children: Children,
) -> impl IntoView {
    provide_context(ReaderZone::named(&time_zone));
    let logout = ServerAction::<Logout>::new();
    let nav = nav
        .into_iter()
        .map(|item| {
            let active = item.href == current;
            view! { <a href=item.href class="nav-item" class:active=active aria-current=active.then_some("page")>{item.label}</a> }
        })
        .collect_view();
    // The router handles clicks on links itself, so the skip link moves the focus explicitly.
    let main = NodeRef::<leptos::html::Main>::new();
    let skip = move |ev: leptos::ev::MouseEvent| {
        if let Some(main) = main.get() {
            ev.prevent_default();
            let _ = main.focus();
        }
    };
    view! {
        <div class="app">
            <a class="skip-link" href="#main" data-testid="skip-link" on:click=skip>"Skip to content"</a>
            <header class="topbar">
                <a class="brand" href="/">
                    <span class="brand-mark" aria-hidden="true">"◆"</span>
                    " TapRain "
                    <span class="brand-area">{area}</span>
                </a>
                <div class="topbar-right">
                    <TimeZoneSetting zone=time_zone />
                    <span class="who" data-testid="signed-in-as">{email}</span>
                    <ActionForm action=logout attr:class="inline">
                        <button type="submit" class="btn btn-ghost" data-testid="sign-out">"Sign out"</button>
                    </ActionForm>
                </div>
            </header>
            <div class="layout">
                <nav class="sidebar" aria-label="Sections">{nav}</nav>
                <main class="content" id="main" tabindex="-1" node_ref=main>{children()}</main>
            </div>
        </div>
    }
}
