//! The controls of a searchable, paged listing: a search box (typing goes back to the first
//! page) and a pager ("21–40 of 57", previous, next). The page owns the rows and the table.

use leptos::prelude::*;

use crate::domain::page::describe;

/// A search field over a listing. `offset` returns to 0 whenever the search changes.
#[component]
pub fn ListSearch(
    search: RwSignal<String>,
    offset: RwSignal<i64>,
    /// The accessible label, e.g. "Search networks".
    #[prop(into)]
    label: String,
    #[prop(into, optional)] placeholder: String,
) -> impl IntoView {
    view! {
        <form class="toolbar list-search" role="search" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span>{label.clone()}</span>
                <input type="search" data-testid="list-search" placeholder=placeholder autocomplete="off"
                    prop:value=move || search.get()
                    on:input=move |ev| { search.set(event_target_value(&ev)); offset.set(0); } />
            </label>
        </form>
    }
}

/// Previous / next over a listing of `total` rows, `limit` at a time, `shown` on this page.
#[component]
pub fn Pager(offset: RwSignal<i64>, limit: i64, shown: usize, total: i64) -> impl IntoView {
    let at = offset.get_untracked();
    let has_previous = at > 0;
    let has_next = at + (shown as i64) < total;
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="muted small" data-testid="pager-status">{describe(at, shown, total)}</span>
            <span class="pager-buttons">
                <button type="button" class="btn btn-small" data-testid="pager-previous" disabled=!has_previous
                    on:click=move |_| offset.update(|o| *o = (*o - limit).max(0))>"← Previous"</button>
                <button type="button" class="btn btn-small" data-testid="pager-next" disabled=!has_next
                    on:click=move |_| offset.update(|o| *o += limit)>"Next →"</button>
            </span>
        </nav>
    }
}
