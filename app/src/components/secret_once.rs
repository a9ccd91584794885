//! The panel that shows a freshly made key or secret the only time it can be seen, with a copy
//! button and a plain warning that it will not be shown again.

use leptos::prelude::*;

use super::CopyButton;

#[component]
pub fn SecretOnce(
    /// E.g. "New security key for Acme Ads".
    #[prop(into)]
    title: String,
    #[prop(into)] secret: String,
    /// What to do with it, e.g. "Give it to the network; it goes in the key= parameter."
    #[prop(into, optional)]
    note: String,
    /// Hides the panel ("I have copied it").
    #[prop(into, optional)]
    on_dismiss: Option<Callback<()>>,
) -> impl IntoView {
    view! {
        <div class="secret" role="status" data-testid="secret-once">
            <h3>{title}</h3>
            <p><strong>"Copy it now: you will not see this again."</strong> " TapRain keeps only what it needs to check it. " {note}</p>
            <div class="copy-row">
                <code data-testid="secret-value">{secret.clone()}</code>
                <CopyButton value=secret test_id="copy-secret" />
            </div>
            {on_dismiss.map(|done| view! {
                <div class="button-row">
                    <button type="button" class="btn btn-ghost btn-small" data-testid="secret-done" on:click=move |_| done.run(())>"I have copied it"</button>
                </div>
            })}
        </div>
    }
}
