//! The answer of a server function behind a form: done, or refused with the field that is wrong
//! so the page can show the message next to it. Other failures stay `ServerFnError`s.

use serde::{Deserialize, Serialize};

/// Which field is wrong and why, in words for the person filling the form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Outcome<T> {
    Done(T),
    Invalid(FieldError),
}

impl<T> Outcome<T> {
    /// The field error, if the form was refused.
    pub fn field_error(&self) -> Option<FieldError> {
        match self {
            Outcome::Invalid(e) => Some(e.clone()),
            Outcome::Done(_) => None,
        }
    }

    pub fn done(self) -> Option<T> {
        match self {
            Outcome::Done(value) => Some(value),
            Outcome::Invalid(_) => None,
        }
    }
}

/// A field error raised before calling the server.
pub fn invalid<T>(field: &str, message: impl Into<String>) -> Outcome<T> {
    Outcome::Invalid(FieldError { field: field.into(), message: message.into() })
}

/// A service's answer as a form outcome: invalid input becomes a field error (first letter
/// upper-cased, the field's name kept out of the sentence); everything else as `guard::service`.
#[cfg(feature = "ssr")]
pub fn outcome<T>(result: Result<T, crate::server::ServiceError>) -> Result<Outcome<T>, leptos::prelude::ServerFnError> {
    use crate::server::ServiceError;
    match result {
        Ok(value) => Ok(Outcome::Done(value)),
        Err(ServiceError::Invalid { field, message }) => Ok(invalid(field, sentence(&message))),
        Err(other) => Err(super::guard::service(other)),
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
    fn messages_become_sentences() {
        assert_eq!(sentence("name must have 1 to 100 characters"), "Name must have 1 to 100 characters.");
        assert_eq!(sentence("Done."), "Done.");
        let refused: Outcome<()> = invalid("ip", "bad");
        assert_eq!(refused.field_error().map(|e| e.field), Some("ip".into()));
    }
}
