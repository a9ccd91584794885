//! Field-level messages: the server names the wrong field, the page shows the message right
//! under it and marks the input invalid for assistive technology.

use leptos::prelude::*;

use crate::api::form_error::FormError;

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

/// The message under a field; its id is `id`, or `<field>-error` when none is given (point the
/// input's `aria-describedby` at it).
#[component]
pub fn FieldError(error: Signal<Option<FormError>>, field: &'static str, #[prop(into, optional)] id: Option<String>) -> impl IntoView {
    let message = field_message(error, field);
    view! {
        <p class="field-error" id=id.unwrap_or_else(|| format!("{field}-error")) data-testid=format!("error-{field}") role="alert">
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

/// Keeps `error` in step with each answer `action` gets from now on: the refusal, or nothing
/// once it succeeds. An answer it had before this form was drawn (the form is drawn again after
/// another change) is not shown again.
pub fn track_form_errors<I, T>(action: Action<I, Result<T, FormError>>, error: RwSignal<Option<FormError>>)
where
    I: Send + Sync + 'static,
    T: Clone + Send + Sync + 'static,
{
    Effect::new(move |drawn: Option<()>| {
        let answer = action.value().get();
        if drawn.is_some() {
            if let Some(answer) = answer {
                error.set(answer.err());
            }
        }
    });
}

/// An alert with the error of an action's last answer, if it failed (for actions whose failures
/// are not about one field: not found, conflict, server trouble).
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
