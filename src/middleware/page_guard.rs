//! The role check in front of every protected page: a visitor who is not signed in gets a 302 to
//! `/login` on each `/admin…` and `/portal…` page, and a signed-in person of the other role a
//! 302 to their own home — before any page is drawn, so every protected page answers the same
//! way. The pages check again (for navigation inside the app), and every server function
//! checks the role itself.

use app::domain::Role;
use app::server::auth::AuthSession;
use app::server::AppState;
use axum::extract::{Request, State};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use tower_sessions::Session;

/// The role a page path belongs to, if it is protected.
pub fn protected_area(path: &str) -> Option<Role> {
    let under = |area: &str| path == area || path.strip_prefix(area).is_some_and(|rest| rest.starts_with('/'));
    if under("/admin") {
        Some(Role::Admin)
    } else if under("/portal") {
        Some(Role::Publisher)
    } else {
        None
    }
}

/// A 302 to `path`.
fn found(path: &'static str) -> Response {
    (StatusCode::FOUND, [(header::LOCATION, path)]).into_response()
}

pub async fn redirect_visitors(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let Some(area) = protected_area(request.uri().path()).filter(|_| matches!(*request.method(), Method::GET | Method::HEAD)) else {
        return next.run(request).await;
    };
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return found("/login");
    };
    match AuthSession(session).current(&state.db, state.settings.session_absolute_hours).await {
        Ok(Some(user)) if user.role == area => next.run(request).await,
        Ok(Some(user)) => found(user.role.home()),
        Ok(None) => found("/login"),
        Err(err) => {
            tracing::error!(error = %err, "reading the signed-in user failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_and_portal_pages_are_protected() {
        assert_eq!(protected_area("/admin"), Some(Role::Admin));
        assert_eq!(protected_area("/admin/networks/abc"), Some(Role::Admin));
        assert_eq!(protected_area("/portal"), Some(Role::Publisher));
        assert_eq!(protected_area("/portal/postback"), Some(Role::Publisher));
        assert_eq!(protected_area("/administrator"), None);
        assert_eq!(protected_area("/login"), None);
        assert_eq!(protected_area("/"), None);
    }
}
