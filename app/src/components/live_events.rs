//! The admin's live feed source: `GET /api/admin/events` (server-sent events, authenticated by
//! the session cookie) opened in the browser; each `conversion` event is handed to a callback.
//! On the server this does nothing — the page is rendered from a listing, events come later.

use leptos::prelude::*;

use crate::api::conversions::FeedEvent;

/// Where the connection stands, for the page's indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Connection {
    Connecting,
    Open,
    /// Lost; the browser reconnects on its own.
    Retrying,
}

/// Opens the event stream once the page is hydrated and closes it when the calling component
/// goes away. Returns the connection state.
pub fn subscribe_conversions(on_event: impl Fn(FeedEvent) + Send + Sync + 'static) -> ReadSignal<Connection> {
    let (state, set_state) = signal(Connection::Connecting);
    #[cfg(feature = "hydrate")]
    {
        let on_event: std::sync::Arc<dyn Fn(FeedEvent) + Send + Sync> = std::sync::Arc::new(on_event);
        Effect::new(move |_| open(set_state, on_event.clone()));
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (on_event, set_state);
    state
}

#[cfg(feature = "hydrate")]
fn open(set_state: WriteSignal<Connection>, on_event: std::sync::Arc<dyn Fn(FeedEvent) + Send + Sync>) {
    use send_wrapper::SendWrapper;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    use web_sys::{Event, EventSource, MessageEvent};

    let Ok(source) = EventSource::new("/api/admin/events") else {
        set_state.set(Connection::Retrying);
        return;
    };
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        if let Some(parsed) = event.data().as_string().and_then(|data| serde_json::from_str::<FeedEvent>(&data).ok()) {
            on_event(parsed);
        }
    });
    let on_open = Closure::<dyn FnMut(Event)>::new(move |_: Event| set_state.set(Connection::Open));
    let on_error = Closure::<dyn FnMut(Event)>::new(move |_: Event| set_state.set(Connection::Retrying));
    let _ = source.add_event_listener_with_callback("conversion", on_message.as_ref().unchecked_ref());
    source.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    source.set_onerror(Some(on_error.as_ref().unchecked_ref()));
    // The browser is single-threaded; the wrapper only satisfies `on_cleanup`'s bounds.
    let held = SendWrapper::new((source, on_message, on_open, on_error));
    on_cleanup(move || {
        let (source, ..) = held.take();
        source.close();
    });
}
