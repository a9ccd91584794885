//! The time zone the signed-in person reads times in: chosen in the top bar, saved with the
//! account, and given to every screen below the shell, whose times and headings use it.

use chrono_tz::Tz;
use leptos::prelude::*;

use super::report_filters::ZoneSelect;
use crate::api::auth::set_time_zone;
use crate::domain::when::{date_time_in, parse_zone, short_day_in};

/// The reader's zone, provided by the page shell.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReaderZone(pub Tz);

impl ReaderZone {
    /// From a saved zone name; UTC when it is unknown.
    pub fn named(name: &str) -> Self {
        Self(parse_zone(name).unwrap_or(Tz::UTC))
    }

    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

/// The zone of the page being drawn (UTC outside the signed-in shell).
pub fn reader_zone() -> ReaderZone {
    use_context::<ReaderZone>().unwrap_or(ReaderZone(Tz::UTC))
}

/// `ms` as `2025-03-05 15:03:22` in the reader's zone.
pub fn local_time(ms: i64) -> String {
    date_time_in(ms, reader_zone().0)
}

/// `ms` as `Mar 5` in the reader's zone.
pub fn local_day(ms: i64) -> String {
    short_day_in(ms, reader_zone().0)
}

/// A heading with the reader's zone in brackets: `Received (Europe/Berlin)`.
pub fn in_zone(label: &str) -> String {
    format!("{label} ({})", reader_zone().name())
}

/// The top bar's time-zone choice: saved at once, then the page is read again in the new zone.
#[component]
pub fn TimeZoneSetting(zone: String) -> impl IntoView {
    let value = RwSignal::new(zone.clone());
    let save = Action::new(|zone: &String| set_time_zone(zone.clone()));
    Effect::new(move |previous: Option<String>| {
        let chosen = value.get();
        if previous.is_some_and(|p| p != chosen) {
            save.dispatch(chosen.clone());
        }
        chosen
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    view! {
        <div class="zone-setting" data-testid="zone-setting" aria-busy=move || save.pending().get().to_string()>
            <ZoneSelect value test_id="my-time-zone" />
            {move || save.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{crate::api::error_message(&e)}</p> })}
        </div>
    }
}
