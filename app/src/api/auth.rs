//! Sign-in and sign-out.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::Role;

/// Who is signed in, as the pages need it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub email: String,
    pub role: Role,
    pub publisher_id: Option<String>,
    /// The IANA zone this person reads times in (`UTC` until they choose one).
    pub time_zone: String,
}

/// Signs in and sends the browser to the role's home page.
#[server(endpoint = "login")]
pub async fn login(email: String, password: String) -> Result<(), ServerFnError> {
    use std::time::Instant;

    use axum::extract::ConnectInfo;
    use http::{header, HeaderValue, StatusCode};
    use leptos_axum::{extract, ResponseOptions};

    use super::guard::{internal, session, state};
    use crate::server::users;

    let state = state()?;
    if email.len() > 320 || password.len() > 4096 {
        return Err(ServerFnError::new("Invalid email or password"));
    }
    let ip = extract::<ConnectInfo<std::net::SocketAddr>>().await.map(|c| c.0.ip().to_string()).unwrap_or_default();
    let keys = vec![format!("ip:{ip}"), format!("email:{}", email.trim().to_lowercase())];
    let now = Instant::now();
    if let Err(wait) = state.throttle.check(&keys, now) {
        let seconds = wait.as_secs().max(1);
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(StatusCode::TOO_MANY_REQUESTS);
            if let Ok(value) = HeaderValue::from_str(&seconds.to_string()) {
                options.insert_header(header::RETRY_AFTER, value);
            }
        }
        let minutes = seconds.div_ceil(60);
        return Err(ServerFnError::new(format!("Too many failed sign-ins. Try again in {minutes} minute(s).")));
    }
    let user = users::authenticate(&state.db, &email, &password).await.map_err(internal)?;
    let Some(user) = user else {
        state.throttle.record_failure(&keys, now);
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(StatusCode::UNAUTHORIZED);
        }
        return Err(ServerFnError::new("Invalid email or password"));
    };
    state.throttle.reset(&keys);
    session().await?.sign_in(&user.id, user.role, user.publisher_id.clone()).await.map_err(internal)?;
    tracing::info!(user = %user.id, role = user.role.as_str(), "signed in");
    leptos_axum::redirect(user.role.home());
    Ok(())
}

/// Ends the session and returns to the sign-in page.
#[server(endpoint = "logout")]
pub async fn logout() -> Result<(), ServerFnError> {
    use super::guard::{internal, session};
    session().await?.sign_out().await.map_err(internal)?;
    leptos_axum::redirect("/login");
    Ok(())
}

/// The signed-in user, or `None`.
#[server(endpoint = "me")]
pub async fn me() -> Result<Option<CurrentUser>, ServerFnError> {
    use super::guard::{current_user, service};
    use crate::server::users;

    let Some((state, user)) = current_user().await? else {
        return Ok(None);
    };
    let u = users::get(&state.db, &user.user_id).await.map_err(service)?;
    Ok(Some(CurrentUser { email: u.email, role: u.role, publisher_id: u.publisher_id, time_zone: u.time_zone }))
}

/// Saves the time zone the signed-in person reads times in; answers its canonical name.
#[server(endpoint = "my_time_zone")]
pub async fn set_time_zone(zone: String) -> Result<String, ServerFnError> {
    use super::guard::{require_signed_in, service};
    use crate::server::users;

    let (state, user) = require_signed_in().await?;
    users::set_time_zone(&state.db, &user.user_id, &zone).await.map_err(service)
}
