//! Form fields shared by the report and conversion filters: a date, the time zone, the grouping.

use leptos::prelude::*;

use crate::domain::report::{GroupBy, COMMON_ZONES};

/// A `YYYY-MM-DD` date input bound to `value` (empty = the report's default); while it is empty
/// it shows `shown`, the date the server actually used.
#[component]
pub fn DateField(
    #[prop(into)] label: String,
    value: RwSignal<String>,
    #[prop(into)] shown: Signal<String>,
    #[prop(into)] test_id: String,
) -> impl IntoView {
    let displayed = move || {
        let v = value.get();
        if v.is_empty() {
            shown.get()
        } else {
            v
        }
    };
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="date" data-testid=test_id prop:value=displayed on:change=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// The range a report or listing actually covered, once it has loaded in the browser, for the
/// date fields to show while they are left at their defaults.
pub fn loaded_range<T, E>(resource: Resource<Result<T, E>>, range: fn(&T) -> (String, String)) -> (Signal<String>, Signal<String>)
where
    T: Clone + Send + Sync + 'static,
    E: Clone + Send + Sync + 'static,
    Result<T, E>: serde::Serialize + serde::de::DeserializeOwned,
{
    let shown = RwSignal::new((String::new(), String::new()));
    // Effects run only in the browser: the server renders the fields empty.
    Effect::new(move |_| {
        if let Some(Ok(loaded)) = resource.get() {
            shown.set(range(&loaded));
        }
    });
    (Signal::derive(move || shown.get().0), Signal::derive(move || shown.get().1))
}

/// The time zone the days are cut in; the current value is kept even if it is not a common one.
#[component]
pub fn ZoneSelect(value: RwSignal<String>, #[prop(into)] test_id: String) -> impl IntoView {
    let current = value.get_untracked();
    let extra = (!current.is_empty() && !COMMON_ZONES.contains(&current.as_str())).then_some(current);
    view! {
        <label class="field">
            <span>"Time zone"</span>
            <select data-testid=test_id prop:value=move || or_default(value.get(), "UTC") on:change=move |ev| value.set(event_target_value(&ev))>
                {extra.map(|zone| view! { <option value=zone.clone() selected=true>{zone.clone()}</option> })}
                {COMMON_ZONES.into_iter().map(|zone| {
                    let selected = value.with_untracked(|v| v == zone || (v.is_empty() && zone == "UTC"));
                    view! { <option value=zone selected=selected>{zone.replace('_', " ")}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

/// What the rows are grouped by, among `groups`.
#[component]
pub fn GroupSelect(value: RwSignal<String>, groups: Vec<GroupBy>, #[prop(into)] test_id: String) -> impl IntoView {
    view! {
        <label class="field">
            <span>"Group by"</span>
            <select data-testid=test_id prop:value=move || or_default(value.get(), GroupBy::Day.as_str()) on:change=move |ev| value.set(event_target_value(&ev))>
                {groups.into_iter().map(|g| {
                    let selected = value.with_untracked(|v| v == g.as_str() || (v.is_empty() && g == GroupBy::Day));
                    view! { <option value=g.as_str() selected=selected>{g.label()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}

fn or_default(value: String, default: &str) -> String {
    if value.is_empty() {
        default.to_owned()
    } else {
        value
    }
}
