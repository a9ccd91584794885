//! A form in a card: its title, the fields (`children`), the message for errors about none of
//! the fields, the submit button (its text changes while the form is sent) and what follows an
//! answer (`footer`).

use leptos::prelude::*;

use super::FormAlert;
use crate::api::form_error::FormError;

#[component]
pub fn FormCard(
    #[prop(into, optional)] title: String,
    /// The form's test id; the submit button's is `<test_id>-submit`.
    #[prop(into)]
    test_id: String,
    #[prop(into)] submit_label: String,
    #[prop(into)] pending: Signal<bool>,
    error: Signal<Option<FormError>>,
    /// The form's field names (errors about other things show above the button).
    fields: &'static [&'static str],
    on_submit: Callback<()>,
    /// A primary (filled) submit button.
    #[prop(optional)]
    primary: bool,
    /// Field and button on one line (a one-field form).
    #[prop(optional)]
    inline: bool,
    /// Only the form, for a card that holds more (its title is then unused).
    #[prop(optional)]
    bare: bool,
    #[prop(optional, into)] footer: Option<ViewFn>,
    children: Children,
) -> impl IntoView {
    let submit_test_id = format!("{test_id}-submit");
    let class = if primary { "btn btn-primary btn-inline" } else { "btn btn-inline" };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        on_submit.run(());
    };
    let button = view! {
        <button type="submit" class=class data-testid=submit_test_id disabled=move || pending.get()>
            {move || if pending.get() { "Saving…".to_string() } else { submit_label.clone() }}
        </button>
    };
    let form = view! {
        <form class="form" class:inline-form=inline on:submit=submit novalidate data-testid=test_id aria-busy=move || pending.get().to_string()>
            {if inline {
                view! { {children()} {button} }.into_any()
            } else {
                view! { <div class="form-grid">{children()}</div> <div class="button-row">{button}</div> }.into_any()
            }}
            <FormAlert error fields />
        </form>
        // Run inside a closure so the footer follows the signals it reads (an answer, a secret).
        {footer.map(|footer| move || footer.run())}
    };
    if bare {
        form.into_any()
    } else {
        view! { <section class="card"><h2>{title}</h2>{form}</section> }.into_any()
    }
}
