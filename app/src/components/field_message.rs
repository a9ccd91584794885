//! The message under a form field when the server (or the page) found it wrong.

use leptos::prelude::*;

use crate::api::outcome::FieldError;

/// Shows `error`'s message when it is about `field`; empty (and hidden) otherwise. Give the
/// input `aria-describedby=id` so screen readers read it.
#[component]
pub fn FieldMessage(#[prop(into)] error: Signal<Option<FieldError>>, field: &'static str, #[prop(into)] id: String) -> impl IntoView {
    let message = move || error.with(|e| e.as_ref().filter(|e| e.field == field).map(|e| e.message.clone()));
    view! { <p id=id class="field-error" role="alert" data-testid=format!("error-{field}")>{message}</p> }
}

/// True when `error` is about `field` (for `aria-invalid`).
pub fn is_invalid(error: Signal<Option<FieldError>>, field: &'static str) -> impl Fn() -> String + Send + Sync + Copy + 'static {
    move || error.with(|e| e.as_ref().is_some_and(|e| e.field == field)).to_string()
}

/// An alert with the error of an action's last answer, if it failed (for failures that are not
/// about one field: not found, conflict, server trouble).
pub fn action_error<T, S>(value: S) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    S: Get<Value = Option<Result<T, ServerFnError>>> + Send + Sync + 'static,
{
    move || match value.get() {
        Some(Err(err)) => Some(view! { <p class="alert alert-error" role="alert">{crate::api::error_message(&err)}</p> }),
        _ => None,
    }
}
