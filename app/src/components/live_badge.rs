//! Shows "Live" once the page is hydrated (effects only run in the browser), so people — and
//! browser tests — can tell the interactive parts are ready.

use leptos::prelude::*;

#[component]
pub fn LiveBadge() -> impl IntoView {
    let (live, set_live) = signal(false);
    Effect::new(move |_| set_live.set(true));
    view! {
        <span class="badge" class:badge-live=live data-testid="live-status" title="Interactive features are ready">
            {move || if live.get() { "Live" } else { "Loading…" }}
        </span>
    }
}
