//! The one error of server functions behind forms: it says which field is wrong (the page shows
//! it next to that field) or, for a problem with the whole form, just a message.

use leptos::prelude::ServerFnError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum FormError {
    /// `field` is the form field's name as the page knows it.
    #[error("{message}")]
    Field { field: String, message: String },
    #[error("{0}")]
    Form(String),
}

impl FormError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> Self {
        FormError::Field { field: field.into(), message: message.into() }
    }

    /// The message for `name`, when this error is about that field.
    pub fn for_field(&self, name: &str) -> Option<String> {
        match self {
            FormError::Field { field, message } if field == name => Some(message.clone()),
            _ => None,
        }
    }

    /// The message to show above the form: anything not tied to one of `fields`.
    pub fn general(&self, fields: &[&str]) -> Option<String> {
        match self {
            FormError::Field { field, .. } if fields.contains(&field.as_str()) => None,
            other => Some(other.to_string()),
        }
    }
}

impl FromServerFnError for FormError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        FormError::Form(match value {
            ServerFnErrorErr::ServerError(message) => message,
            other => other.to_string(),
        })
    }
}

impl From<ServerFnError> for FormError {
    fn from(err: ServerFnError) -> Self {
        FormError::Form(super::error_message(&err))
    }
}

/// A refusal of the form's `field`, answered with status 422.
#[cfg(feature = "ssr")]
pub fn reject(field: &str, message: impl Into<String>) -> FormError {
    if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    FormError::field(field, message)
}

/// A service's refusal as a form shows it: invalid input names its field (renamed by `rename`
/// from the service's name to the form's), with status 422; anything else as
/// [`super::guard::service`] maps it.
#[cfg(feature = "ssr")]
pub fn form_error(err: crate::server::ServiceError, rename: &[(&str, &str)]) -> FormError {
    use crate::server::ServiceError;
    match err {
        ServiceError::Invalid { field, message } => {
            let field = rename.iter().find(|(from, _)| *from == field).map(|(_, to)| *to).unwrap_or(field);
            reject(field, sentence(&message))
        }
        other => super::guard::service(other).into(),
    }
}

/// Like [`form_error`], with a conflict (a taken id, email or code) said next to `field`, with
/// status 409.
#[cfg(feature = "ssr")]
pub fn conflict_at(field: &str, err: crate::server::ServiceError, rename: &[(&str, &str)]) -> FormError {
    match err {
        crate::server::ServiceError::Conflict(message) => {
            if let Some(options) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                options.set_status(http::StatusCode::CONFLICT);
            }
            FormError::field(field, sentence(&message))
        }
        other => form_error(other, rename),
    }
}

/// `"name must have 1 to 100 characters"` → `"Name must have 1 to 100 characters."`
pub fn sentence(message: &str) -> String {
    let mut chars = message.trim().chars();
    let mut out: String = chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default();
    if !out.ends_with('.') {
        out.push('.');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn field_errors_are_shown_at_their_field() {
        let err = FormError::field("payout", "must be positive");
        assert_eq!(err.for_field("payout").as_deref(), Some("must be positive"));
        assert_eq!(err.for_field("name"), None);
        assert_eq!(err.general(&["payout", "name"]), None);
        assert_eq!(err.general(&["name"]).as_deref(), Some("must be positive"));
        assert_eq!(FormError::Form("No".into()).general(&["name"]).as_deref(), Some("No"));
    }

    #[test]
    fn messages_become_sentences() {
        assert_eq!(sentence("name must have 1 to 100 characters"), "Name must have 1 to 100 characters.");
        assert_eq!(sentence("Done."), "Done.");
    }
}
