//! Previous / next paging under a list, with the range shown ("21–40").

use leptos::prelude::*;

/// `offset` is the first row shown; `page_len` rows are shown; `page_size` per page.
#[component]
pub fn PageSteps(offset: RwSignal<i64>, page_len: usize, has_more: bool, page_size: i64) -> impl IntoView {
    let first = offset.get_untracked();
    let range = if page_len == 0 { "No rows".to_string() } else { format!("Rows {}–{}", first + 1, first + page_len as i64) };
    let at_start = first == 0;
    view! {
        <nav class="pager" aria-label="Pages" data-testid="pager">
            <span class="muted small" data-testid="pager-range">{range}</span>
            <div class="button-row">
                <button type="button" class="btn btn-small" data-testid="pager-prev" disabled=at_start
                    on:click=move |_| offset.update(|o| *o = (*o - page_size).max(0))>"← Previous"</button>
                <button type="button" class="btn btn-small" data-testid="pager-next" disabled=!has_more
                    on:click=move |_| offset.update(|o| *o += page_size)>"Next →"</button>
            </div>
        </nav>
    }
}
