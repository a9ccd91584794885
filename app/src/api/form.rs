//! What server functions behind forms answer and how lists are paged.
//!
//! A form's error says which field is wrong (the page shows it next to that field) or, for a
//! problem with the whole form, just a message. Lists come a page at a time.

use leptos::prelude::ServerFnError;
use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// Rows per page in the admin lists.
pub const PAGE_SIZE: i64 = 25;

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
            reject(field, message)
        }
        other => super::guard::service(other).into(),
    }
}

/// One page of a list: the rows from `offset`, and whether more follow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub offset: i64,
    pub has_more: bool,
}

impl<T> Page<T> {
    /// From up to `PAGE_SIZE + 1` rows read at `offset` (the extra one only says more follow).
    pub fn from_probe(mut rows: Vec<T>, offset: i64) -> Self {
        let has_more = rows.len() as i64 > PAGE_SIZE;
        rows.truncate(PAGE_SIZE as usize);
        Self { items: rows, offset, has_more }
    }
}

/// `""`, `active` or `inactive` → the `active` filter of a listing.
pub fn active_filter(raw: &str) -> Option<bool> {
    match raw {
        "active" => Some(true),
        "inactive" => Some(false),
        _ => None,
    }
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
    fn pages_know_whether_more_follow() {
        let page = Page::from_probe((0..=PAGE_SIZE).collect(), 0);
        assert!(page.has_more);
        assert_eq!(page.items.len() as i64, PAGE_SIZE);
        assert!(!Page::from_probe(vec![1, 2], 25).has_more);
    }
}
