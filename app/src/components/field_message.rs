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

/// Keeps `error` in step with the field error of each answer `action` gets from now on. An
/// answer it had before this form was drawn (the form is drawn again after another change) is
/// not shown again.
pub fn track_field_errors<I, T>(
    action: Action<I, Result<crate::api::outcome::Outcome<T>, ServerFnError>>,
    error: RwSignal<Option<FieldError>>,
) where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |drawn: Option<()>| {
        let answer = action.value().get();
        if drawn.is_some() {
            if let Some(Ok(outcome)) = answer {
                error.set(outcome.field_error());
            }
        }
    });
}
