//! What the doors share to answer in a contract's words: the status of an answer, and the two
//! body shapes — `{"message": …}` JSON and plain text.

use app::server::ingest::answer::ContractAnswer;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

/// The answer's HTTP status (500 for one the contract gets wrong).
pub fn status(answer: &impl ContractAnswer) -> StatusCode {
    StatusCode::from_u16(answer.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
}

/// `{"message": …}` with the answer's status.
pub fn message_json(answer: &impl ContractAnswer) -> Response {
    (status(answer), Json(serde_json::json!({ "message": answer.message() }))).into_response()
}

/// The answer's message as a plain-text body (what offerwall providers read: `OK`, `DUP`).
pub fn text(answer: &impl ContractAnswer) -> Response {
    (status(answer), answer.message()).into_response()
}
