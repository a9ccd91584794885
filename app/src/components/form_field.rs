//! Field-level messages: the server names the wrong field, the page shows the message right
//! under it and marks the input invalid for assistive technology.

use leptos::prelude::*;

use crate::api::form::FormError;

/// The message for `field` in `error`, if it is about that field.
pub fn field_message(error: Signal<Option<FormError>>, field: &'static str) -> Signal<Option<String>> {
    Signal::derive(move || error.with(|e| e.as_ref().and_then(|e| e.for_field(field))))
}

/// `"true"` while `error` is about `field` (for `aria-invalid`).
pub fn invalid(error: Signal<Option<FormError>>, field: &'static str) -> Signal<String> {
    Signal::derive(move || error.with(|e| e.as_ref().is_some_and(|e| e.for_field(field).is_some())).to_string())
}

/// Puts the keyboard in `input` when an editor opens (it may open far from the button that
/// opened it).
pub fn focus_on_open(input: NodeRef<leptos::html::Input>) {
    Effect::new(move |_| {
        #[cfg(feature = "hydrate")]
        if let Some(el) = input.get() {
            let _ = el.focus();
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = input;
    });
}

/// The message under a field; its id is `<id_prefix><field>-error` (point `aria-describedby`
/// at it; the prefix keeps ids unique when one page has several forms).
#[component]
pub fn FieldError(error: Signal<Option<FormError>>, field: &'static str, #[prop(optional, into)] id_prefix: String) -> impl IntoView {
    let message = field_message(error, field);
    view! {
        <p class="field-error" id=format!("{id_prefix}{field}-error") data-testid=format!("error-{field}") role="alert">
            {move || message.get()}
        </p>
    }
}

/// The form-wide message: an error about none of `fields`.
#[component]
pub fn FormAlert(error: Signal<Option<FormError>>, fields: &'static [&'static str]) -> impl IntoView {
    move || {
        error.with(|e| e.as_ref().and_then(|e| e.general(fields))).map(|message| {
            view! { <p class="alert alert-error" role="alert" data-testid="form-error">{message}</p> }
        })
    }
}
