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
    use http::{header, HeaderMap, HeaderValue, StatusCode};
    use leptos_axum::{extract, ResponseOptions};

    use super::guard::{internal, session, state};
    use crate::domain::client_addr;
    use crate::server::auth::throttle;
    use crate::server::users;

    let refuse = |status: StatusCode, retry_after: std::time::Duration, message: String| {
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(status);
            if let Ok(value) = HeaderValue::from_str(&retry_after.as_secs().max(1).to_string()) {
                options.insert_header(header::RETRY_AFTER, value);
            }
        }
        ServerFnError::new(message)
    };
    let too_many = |wait: std::time::Duration| {
        let minutes = wait.as_secs().max(1).div_ceil(60);
        refuse(StatusCode::TOO_MANY_REQUESTS, wait, format!("Too many failed sign-ins. Try again in {minutes} minute(s)."))
    };

    let state = state()?;
    if email.len() > 320 || password.len() > 4096 {
        return Err(ServerFnError::new("Invalid email or password"));
    }
    // The throttle keys on the real client: behind a trusted proxy, the address it reports.
    let peer =
        extract::<ConnectInfo<std::net::SocketAddr>>().await.map_or(std::net::IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    let headers = extract::<HeaderMap>().await.map_err(internal)?;
    let header_value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let client = client_addr::resolve(
        peer,
        false,
        header_value("x-forwarded-for"),
        header_value("x-forwarded-proto"),
        &state.settings.trusted_proxies,
    );
    let keys = throttle::keys(&email, client.ip);
    // Cheap refusal first, so a throttled caller never queues for a password-check slot.
    state.throttle.check(&keys, Instant::now()).map_err(too_many)?;
    let Some(_slot) = state.throttle.verification_slot().await else {
        tracing::warn!(client = %client.ip, "sign-in refused: every password-check slot is busy");
        return Err(refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            state.throttle.busy_retry_after(),
            "The server is busy; please try again in a moment.".into(),
        ));
    };
    // The attempt is counted before the password is checked.
    state.throttle.begin(&keys, Instant::now()).map_err(too_many)?;
    let user = users::authenticate(&state.db, &email, &password).await.map_err(internal)?;
    let Some(user) = user else {
        if let Some(options) = use_context::<ResponseOptions>() {
            options.set_status(StatusCode::UNAUTHORIZED);
        }
        return Err(ServerFnError::new("Invalid email or password"));
    };
    state.throttle.succeeded(&keys);
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
