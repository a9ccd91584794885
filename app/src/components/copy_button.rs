//! A button that copies a value to the clipboard and says so. The value may change (a live
//! preview); the button copies what it is at the click.

use leptos::prelude::*;

#[component]
pub fn CopyButton(#[prop(into)] value: Signal<String>, #[prop(into, optional)] test_id: String) -> impl IntoView {
    let (copied, set_copied) = signal(false);
    let copy = move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(window) = web_sys::window() {
            // The promise is not awaited: the value is also selectable by hand if copying is refused.
            let _ = window.navigator().clipboard().write_text(&value.get_untracked());
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = &value;
        set_copied.set(true);
    };
    view! {
        <button type="button" class="btn" on:click=copy data-testid=test_id aria-live="polite">
            {move || if copied.get() { "Copied" } else { "Copy" }}
        </button>
    }
}
