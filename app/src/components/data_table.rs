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

/// A table with `headers` (a heading ending in `#` is right-aligned, for numbers; an empty one
/// heads the actions column) around `children` rows. `label` names the scrolling box for screen readers.
#[component]
pub fn DataTable(
    #[prop(into)] headers: Headers,
    #[prop(into, optional)] test_id: String,
    #[prop(into, default = "Table".into())] label: String,
    children: Children,
) -> impl IntoView {
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=label>
            <table data-testid=test_id>
                <thead>
                    <tr>
                        {headers.0.into_iter().map(|h| match h.strip_suffix('#') {
                            Some(h) => view! { <th scope="col" class="num">{h.to_owned()}</th> }.into_any(),
                            None if h.is_empty() => view! { <th scope="col"><span class="sr-only">"Actions"</span></th> }.into_any(),
                            None => view! { <th scope="col">{h.into_owned()}</th> }.into_any(),
                        }).collect_view()}
                    </tr>
                </thead>
                <tbody>{children()}</tbody>
            </table>
        </div>
    }
}
