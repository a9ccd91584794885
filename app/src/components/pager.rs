//! Previous / next paging under a list, with the range shown ("21–40 of 57").

use leptos::prelude::*;

use crate::domain::page::describe;

/// `offset` is the first row shown, `shown` rows are on this page of `limit`, `total` in all.
#[component]
pub fn Pager(offset: RwSignal<i64>, limit: i64, shown: usize, total: i64) -> impl IntoView {
    let at = offset.get_untracked();
    let has_previous = at > 0;
    let has_next = at + (shown as i64) < total;
    view! {
        <nav class="pager" aria-label="Pages">
            <span class="muted small" data-testid="pager-status" aria-live="polite">{describe(at, shown, total)}</span>
            <span class="pager-buttons">
                <button type="button" class="btn btn-small" data-testid="pager-previous" disabled=!has_previous
                    on:click=move |_| offset.update(|o| *o = (*o - limit).max(0))>"← Previous"</button>
                <button type="button" class="btn btn-small" data-testid="pager-next" disabled=!has_next
                    on:click=move |_| offset.update(|o| *o += limit)>"Next →"</button>
            </span>
        </nav>
    }
}
