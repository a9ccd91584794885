//! The body of every searchable, paged list: a loading line, then one page of rows in a
//! [`DataTable`] with the [`Pager`] under it — or, with no rows, what to do first, or that the
//! search hides every row.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::data_table::Headers;
use super::{DataTable, LiveBadge, Pager, SearchBar, SearchBox};
use crate::api::form_error::FormError;
use crate::domain::page::Page;

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

/// A listing: one page of rows, or why it could not be read.
pub type Listing<T, E> = Resource<Result<Page<T>, E>>;

/// The state of a searchable list: the search text, the first row shown, and the listing read
/// again whenever either changes (`fetch(search, offset)`).
pub fn searchable_listing<T, E, F, Fut>(fetch: F) -> (RwSignal<String>, RwSignal<i64>, Listing<T, E>)
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    E: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    F: Fn(String, i64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<Page<T>, E>> + Send + 'static,
{
    let search = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let listing = Resource::new(move || (search.get(), offset.get()), move |(s, o)| fetch(s, o));
    (search, offset, listing)
}

/// A screen's heading with the live badge and, as `children`, its actions.
#[component]
pub fn PageHead(#[prop(into)] title: String, #[prop(optional)] children: Option<Children>) -> impl IntoView {
    view! {
        <div class="page-head">
            <h1>{title}</h1>
            <div class="page-actions">{children.map(|actions| actions())}<LiveBadge /></div>
        </div>
    }
}

/// One page of `listing`, each item drawn by `row` as a table row under `headers`. With
/// `search`, a search box above it narrows the list (labelled "Search <label>"); `filtered` is
/// true while a search or filter narrows the list (by default: while `search` holds text).
#[component]
pub fn ListPage<T, E, R, V>(
    listing: Resource<Result<Page<T>, E>>,
    offset: RwSignal<i64>,
    #[prop(optional)] search: Option<RwSignal<String>>,
    #[prop(into, optional)] search_placeholder: String,
    #[prop(into, optional)] filtered: Option<Signal<bool>>,
    #[prop(into)] headers: Headers,
    /// The table's test id, and its name for screen readers.
    #[prop(into)]
    test_id: String,
    #[prop(into)] label: String,
    #[prop(into)] nothing_yet: String,
    #[prop(into)] next_step: String,
    /// The page shows the listing's errors itself (at its filter fields).
    #[prop(optional)]
    errors_shown_above: bool,
    row: R,
) -> impl IntoView
where
    T: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    E: Clone + Send + Sync + Serialize + DeserializeOwned + Into<FormError> + 'static,
    R: Fn(T) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let loading = format!("Loading {}…", label.to_lowercase());
    let busy = RwSignal::new(false);
    let filtered = filtered.unwrap_or_else(|| Signal::derive(move || search.is_some_and(|s| !s.with(|s| s.trim().is_empty()))));
    let search_bar = search.map(|value| {
        let noun = label.to_lowercase();
        view! {
            <SearchBar label=format!("Find {noun}")>
                <SearchBox value offset label=format!("Search {noun}") placeholder=search_placeholder />
            </SearchBar>
        }
    });
    view! {
        {search_bar}
        <div aria-busy=move || busy.get().to_string()>
            <Transition fallback=move || view! { <p class="loading">{loading.clone()}</p> } set_pending=busy>
                {move || {
                    let (row, headers, test_id, label) = (row.clone(), headers.clone(), test_id.clone(), label.clone());
                    let (nothing_yet, next_step) = (nothing_yet.clone(), next_step.clone());
                    Suspend::new(async move {
                        match listing.await {
                            Ok(page) if page.items.is_empty() => view! {
                                <EmptyList filtered={filtered.get_untracked() || page.offset > 0} nothing_yet next_step />
                            }.into_any(),
                            Ok(page) => {
                                let (shown, total, limit) = (page.items.len(), page.total, page.limit);
                                view! {
                                    <DataTable headers test_id label>
                                        {page.items.into_iter().map(row).collect_view()}
                                    </DataTable>
                                    <Pager offset limit shown total />
                                }.into_any()
                            }
                            Err(_) if errors_shown_above => ().into_any(),
                            Err(err) => {
                                let message: FormError = err.into();
                                view! { <p class="alert alert-error" role="alert">{message.to_string()}</p> }.into_any()
                            }
                        }
                    })
                }}
            </Transition>
        </div>
    }
}
