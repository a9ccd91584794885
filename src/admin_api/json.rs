//! `ApiJson<T>`: axum's JSON extractor with rejections answered in the API's error format.
//! Broken JSON or a wrong content type → 400; well-formed JSON with missing or mistyped
//! fields → 422 naming the field; a body over the limit → 413.

use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::Json;
use serde::de::DeserializeOwned;

use super::ApiError;

pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(Self(value)),
            Err(rejection) => Err(map_rejection(rejection)),
        }
    }
}

fn map_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonDataError(e) => ApiError::Unprocessable(format!(
            "invalid request body: {}",
            e.body_text().trim_start_matches("Failed to deserialize the JSON body into the target type: ")
        )),
        JsonRejection::JsonSyntaxError(_) => ApiError::BadRequest("request body is not valid JSON".into()),
        JsonRejection::MissingJsonContentType(_) => ApiError::BadRequest("expected Content-Type: application/json".into()),
        JsonRejection::BytesRejection(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
            ApiError::PayloadTooLarge("request body too large".into())
        }
        other => ApiError::BadRequest(other.body_text()),
    }
}
