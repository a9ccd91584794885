//! A labelled text input with its hint and its field message: the input is marked invalid and
//! described by the message while the form's error is about this field.

use leptos::prelude::*;

use super::field_error::invalid;
use super::FieldError;
use crate::api::form_error::FormError;

#[component]
pub fn TextField(
    /// The input's id; the message's id is `<id>-error`, the hint's `<id>-hint`.
    #[prop(into)]
    id: String,
    /// The field's name as the server's errors call it.
    field: &'static str,
    #[prop(into)] label: String,
    value: RwSignal<String>,
    error: Signal<Option<FormError>>,
    #[prop(into)] test_id: String,
    #[prop(into, default = "text".into())] input_type: String,
    #[prop(into, optional)] maxlength: Option<u32>,
    #[prop(into, optional)] placeholder: Option<String>,
    #[prop(into, default = "off".into())] autocomplete: String,
    #[prop(into, optional)] inputmode: Option<String>,
    #[prop(into, optional)] hint: Option<String>,
    #[prop(optional)] node_ref: NodeRef<leptos::html::Input>,
) -> impl IntoView {
    let message_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let described = if hint.is_some() { format!("{hint_id} {message_id}") } else { message_id.clone() };
    view! {
        <div class="text-field">
            <label for=id.clone()>{label}</label>
            <input node_ref=node_ref id=id name=field type=input_type maxlength=maxlength placeholder=placeholder autocomplete=autocomplete
                inputmode=inputmode spellcheck="false" data-testid=test_id
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=invalid(error, field) aria-describedby=described />
            {hint.map(|hint| view! { <p class="hint" id=hint_id>{hint}</p> })}
            <FieldError error field id=message_id />
        </div>
    }
}
