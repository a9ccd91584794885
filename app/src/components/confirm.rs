//! A button for a consequential action that asks first: the first click shows the question
//! with "Yes" and "Cancel", only "Yes" acts.

use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    #[prop(into)] label: String,
    #[prop(into)] question: String,
    #[prop(into)] yes: String,
    /// Red buttons for destructive actions.
    #[prop(optional)]
    danger: bool,
    #[prop(into)] pending: Signal<bool>,
    on_confirm: Callback<()>,
    #[prop(into, optional)] test_id: String,
) -> impl IntoView {
    let asking = RwSignal::new(false);
    let tone = if danger { "btn btn-small btn-danger" } else { "btn btn-small btn-primary" };
    let label_for_button = label.clone();
    view! {
        <Show
            when=move || asking.get()
            fallback=move || view! {
                <button type="button" class="btn btn-small" data-testid=test_id.clone() on:click=move |_| asking.set(true)>{label_for_button.clone()}</button>
            }
        >
            <span class="confirm-inline" role="alertdialog" aria-label=label.clone() data-testid="confirm">
                <span>{question.clone()}</span>
                <button type="button" class=tone autofocus data-testid="confirm-yes" disabled=move || pending.get()
                    on:click=move |_| { on_confirm.run(()); asking.set(false); }>{yes.clone()}</button>
                <button type="button" class="btn btn-small" data-testid="confirm-cancel" on:click=move |_| asking.set(false)>"Cancel"</button>
            </span>
        </Show>
    }
}
