//! The parts of a searchable, paged admin list: a search box, an active/inactive filter, the
//! table frame with its headings, and an empty state that says what to do next.

use leptos::prelude::*;

/// A search field bound to `value`; typing also returns the list to its first page.
#[component]
pub fn SearchBox(
    value: RwSignal<String>,
    offset: RwSignal<i64>,
    #[prop(into)] label: String,
    #[prop(into)] placeholder: String,
    #[prop(into, optional)] test_id: String,
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

/// `""` (all), `active` or `inactive`, bound to `value`.
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

/// A table with `headers` (a heading ending in `#` is right-aligned, for numbers) around `children` rows.
#[component]
pub fn DataTable(headers: Vec<&'static str>, #[prop(into, optional)] test_id: String, children: Children) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table data-testid=test_id>
                <thead>
                    <tr>
                        {headers.into_iter().map(|h| match h.strip_suffix('#') {
                            Some(h) => view! { <th scope="col" class="num">{h}</th> }.into_any(),
                            None => view! { <th scope="col">{h}</th> }.into_any(),
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}

/// What an empty list shows: `filtered` says whether a search or filter hid the rows.
#[component]
pub fn EmptyList(filtered: bool, #[prop(into)] nothing_yet: String, #[prop(into)] next_step: String) -> impl IntoView {
    view! {
        <div class="empty" data-testid="list-empty">
            {if filtered {
                view! { <h2>"Nothing matches"</h2><p>"Change the search or the filters to see more."</p> }.into_any()
            } else {
                view! { <h2>{nothing_yet}</h2><p>{next_step}</p> }.into_any()
            }}
        </div>
    }
}
