//! A table in a box of its own: on a narrow screen the box scrolls sideways, not the page, and
//! the keyboard can reach it to scroll it.

use std::borrow::Cow;

use leptos::prelude::*;

/// A table's column headings: literals, or texts made for the page (a heading with the reader's
/// time zone).
#[derive(Debug, Clone, PartialEq)]
pub struct Headers(pub Vec<Cow<'static, str>>);

impl From<Vec<&'static str>> for Headers {
    fn from(headers: Vec<&'static str>) -> Self {
        Self(headers.into_iter().map(Cow::Borrowed).collect())
    }
}

impl From<Vec<String>> for Headers {
    fn from(headers: Vec<String>) -> Self {
        Self(headers.into_iter().map(Cow::Owned).collect())
    }
}

/// How a sortable [`DataTable`] is ordered: a column (an index into its headings) and the way.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SortOrder {
    pub column: usize,
    pub descending: bool,
}

/// Turns a [`DataTable`]'s headings in `columns` into sort buttons bound to `order`, which the
/// page sorts its rows by. A click on the sorted column turns it round; on another column it
/// sorts by that one, numbers (`#` headings) largest first, text from A.
#[derive(Debug, Clone, Copy)]
pub struct Sorting {
    pub order: RwSignal<SortOrder>,
    pub columns: &'static [usize],
}

impl Sorting {
    fn heading(self, column: usize, text: String, numeric: bool) -> AnyView {
        let order = self.order;
        let sorted = move || order.with(|o| (o.column == column).then_some(o.descending));
        let aria = move || match sorted() {
            Some(true) => "descending",
            Some(false) => "ascending",
            None => "none",
        };
        let mark = move || match sorted() {
            Some(true) => "▼",
            Some(false) => "▲",
            None => "↕",
        };
        let click = move |_| {
            order.update(|o| {
                if o.column == column {
                    o.descending = !o.descending;
                } else {
                    *o = SortOrder { column, descending: numeric };
                }
            })
        };
        view! {
            <th scope="col" class=if numeric { "num" } else { "" } aria-sort=aria>
                <button type="button" class="sort" on:click=click>{text}<span class="sort-mark" aria-hidden="true">{mark}</span></button>
            </th>
        }
        .into_any()
    }
}

/// A table with `headers` (a heading ending in `#` is right-aligned, for numbers; an empty one
/// heads the actions column) around `children` rows. `label` names the scrolling box for screen
/// readers. With `sort`, the headings it names sort the rows.
#[component]
pub fn DataTable(
    #[prop(into)] headers: Headers,
    #[prop(into, optional)] test_id: String,
    #[prop(into, default = "Table".into())] label: String,
    #[prop(optional)] sort: Option<Sorting>,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table data-testid=test_id>
                <thead>
                    <tr>
                        {headers.0.into_iter().enumerate().map(|(i, h)| match (h.strip_suffix('#'), sort.filter(|s| s.columns.contains(&i))) {
                            (Some(h), Some(sort)) => sort.heading(i, h.to_owned(), true),
                            (None, Some(sort)) => sort.heading(i, h.into_owned(), false),
                            (Some(h), None) => view! { <th scope="col" class="num">{h.to_owned()}</th> }.into_any(),
                            (None, None) if h.is_empty() => view! { <th scope="col"><span class="sr-only">"Actions"</span></th> }.into_any(),
                            (None, None) => view! { <th scope="col">{h.into_owned()}</th> }.into_any(),
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
