//! A table of an owner's keys or secrets — hint, created, state (active, overlapping until a
//! time, expired, revoked) — with "revoke" on those that still work, and the rotate control
//! (overlap choice + button) that goes with it.

use leptos::prelude::*;

use super::{ConfirmButton, OverlapSelect, StatusBadge};
use crate::domain::partners::NetworkKeyInfo;
use crate::domain::secrets::KeyState;
use crate::domain::when::date_time;

#[component]
pub fn KeyList(
    keys: Vec<NetworkKeyInfo>,
    /// The server's clock when the list was read (unix ms), so both renders agree.
    now: i64,
    /// "key" or "secret", for labels.
    #[prop(into)]
    noun: String,
    /// Revokes the key with this id.
    #[prop(into)]
    on_revoke: Callback<String>,
    #[prop(into, optional)] pending: Signal<bool>,
) -> impl IntoView {
    if keys.is_empty() {
        return view! { <p class="muted small">{format!("No {noun}s.")}</p> }.into_any();
    }
    let rows = keys
        .into_iter()
        .map(|key| {
            let state = KeyState::at(key.valid_until, key.revoked_at, now);
            let until = match state {
                KeyState::Active => "no end".to_string(),
                KeyState::Overlap(until) => date_time(until),
                KeyState::Expired => key.valid_until.map(date_time).unwrap_or_default(),
                KeyState::Revoked => key.revoked_at.map(|t| format!("revoked {}", date_time(t))).unwrap_or_default(),
            };
            let question = format!("Revoke {noun} {}? Anything still using it is refused at once.", key.hint);
            let id = key.id.clone();
            view! {
                <tr data-testid="key-row" data-state=state.word() data-key-id=key.id.clone()>
                    <td><code>{key.hint.clone()}</code></td>
                    <td class="nowrap">{date_time(key.created_at)}</td>
                    <td><StatusBadge status=state.word() /></td>
                    <td class="nowrap" data-testid="key-until">{until}</td>
                    <td class="actions">
                        {state.works().then(|| view! {
                            <ConfirmButton label="Revoke" question confirm_label="Yes, revoke" danger=true small=true pending
                                test_id="revoke-key" on_confirm=Callback::new(move |_| on_revoke.run(id.clone())) />
                        })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Keys">
            <table class="keys">
                <thead><tr><th>{capitalized(&noun)}</th><th>"Created (UTC)"</th><th>"State"</th><th>"Valid until"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// The overlap choice and the "Rotate" button; runs `on_rotate` with the chosen seconds.
#[component]
pub fn RotateControl(
    /// Makes field ids unique on the page.
    #[prop(into)]
    id: String,
    #[prop(into)] on_rotate: Callback<i64>,
    #[prop(into, optional)] pending: Signal<bool>,
    /// The button's text, e.g. "Rotate key".
    #[prop(into)]
    label: String,
) -> impl IntoView {
    let overlap = RwSignal::new(Some(86_400));
    view! {
        <div class="rotate toolbar" data-testid="rotate">
            <OverlapSelect value=overlap id />
            <button type="button" class="btn btn-primary" data-testid="rotate-key" disabled=move || pending.get() || overlap.get().is_none()
                on:click=move |_| { if let Some(seconds) = overlap.get_untracked() { on_rotate.run(seconds); } }>
                {move || if pending.get() { "Rotating…".to_string() } else { label.clone() }}
            </button>
        </div>
    }
}
