//! `GET /api/admin/events`: new and changed conversions as server-sent events (`conversion`).

use std::convert::Infallible;
use std::time::Duration;

use app::server::AppState;
use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream};
use tokio::sync::broadcast::error::RecvError;

use super::auth::AdminCaller;

#[utoipa::path(get, path = "/api/admin/events", tag = "conversions",
    responses((status = 200, content_type = "text/event-stream", description = "`event: conversion` with `{kind, conversion}` JSON"), (status = 401)),
    security(("bearer" = [])))]
pub async fn stream(State(state): State<AppState>, _caller: AdminCaller) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.events.subscribe();
    let events = stream::unfold(receiver, |mut receiver| async move {
        let event = match receiver.recv().await {
            Ok(event) => Event::default().event("conversion").json_data(&event).unwrap_or_else(|_| Event::default().comment("unencodable")),
            // A slow reader skips what it missed and is told how many, so it can reload.
            Err(RecvError::Lagged(missed)) => Event::default().event("lagged").data(missed.to_string()),
            Err(RecvError::Closed) => return None,
        };
        Some((Ok(event), receiver))
    });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
