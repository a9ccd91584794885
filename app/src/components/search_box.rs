//! The search field above a list: typing narrows the list and returns it to its first page.

use leptos::prelude::*;

/// A search field bound to `value`; typing also sets `offset` back to 0.
#[component]
pub fn SearchBox(
    value: RwSignal<String>,
    offset: RwSignal<i64>,
    /// The visible label, e.g. "Search networks".
    #[prop(into)]
    label: String,
    #[prop(into)] placeholder: String,
    #[prop(into, default = "list-search".into())] test_id: String,
) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="search" placeholder=placeholder autocomplete="off" spellcheck="false" maxlength="200" data-testid=test_id
                prop:value=move || value.get()
                on:input=move |ev| { value.set(event_target_value(&ev)); offset.set(0); } />
        </label>
    }
}

/// `""` (all), `active` or `inactive`, bound to `value`; a change returns to the first page.
#[component]
pub fn ActiveFilter(value: RwSignal<String>, offset: RwSignal<i64>) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Status"</span>
            <select data-testid="filter-active" prop:value=move || value.get()
                on:change=move |ev| { value.set(event_target_value(&ev)); offset.set(0); }>
                <option value="">"All"</option>
                <option value="active">"Active"</option>
                <option value="inactive">"Inactive"</option>
            </select>
        </label>
    }
}

/// The search bar of a list: a `role="search"` form around the search box and any filters.
#[component]
pub fn SearchBar(#[prop(into)] label: String, children: Children) -> impl IntoView {
    view! {
        <form class="toolbar filters" role="search" aria-label=label on:submit=|ev| ev.prevent_default()>
            {children()}
        </form>
    }
}
