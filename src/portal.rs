//! The publisher portal's downloads: plain axum handlers (a streamed CSV is no server function)
//! guarded by the publisher's session. The publisher comes from the session, never from the
//! request, so a publisher can only ever export their own conversions.

use app::domain::report::ConversionParams;
use app::domain::Role;
use app::server::auth::AuthSession;
use app::server::clock::now_ms;
use app::server::exports::{self, Audience};
use app::server::reports::ConversionQuery;
use app::server::AppState;
use axum::extract::{FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::routing::get;
use axum::Router;
use tower_sessions::Session;

use crate::error::ApiError;

pub fn router() -> Router<AppState> {
    Router::new().route("/portal/conversions.csv", get(conversions_csv))
}

/// A signed-in, active publisher login and its publisher, checked as every page and server
/// function checks it ([`AuthSession::current`]).
pub struct PublisherCaller {
    pub publisher_id: String,
}

impl FromRequestParts<AppState> for PublisherCaller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let session = Session::from_request_parts(parts, state).await.map_err(|_| ApiError::Unauthorized)?;
        let user = AuthSession(session).current(&state.db, state.settings.session_absolute_hours).await?.ok_or(ApiError::Unauthorized)?;
        match (user.role, user.publisher_id) {
            (Role::Publisher, Some(publisher_id)) if !publisher_id.is_empty() => Ok(Self { publisher_id }),
            _ => Err(ApiError::Forbidden),
        }
    }
}

/// `GET /portal/conversions.csv?from=&to=&tz=&status=&offer=&s1=`: the caller's conversions.
/// A `publisher` or `network` parameter is ignored: the session decides whose rows these are.
async fn conversions_csv(
    State(state): State<AppState>,
    caller: PublisherCaller,
    Query(params): Query<ConversionParams>,
) -> Result<Response, ApiError> {
    let params = ConversionParams { publisher: caller.publisher_id, network: String::new(), ..params };
    let query = ConversionQuery::parse(&params, now_ms())?;
    let name = exports::filename("conversions", &query.range.from.to_string(), &query.range.to.to_string());
    Ok(exports::csv_response(&name, exports::conversions_csv(state.db.clone(), query, Audience::Publisher)))
}
