//! Form fields shared by the report and conversion filters: a date, the time zone, the grouping.

use leptos::prelude::*;

use crate::domain::report::{GroupBy, COMMON_ZONES};

/// A `YYYY-MM-DD` date input bound to `value` (empty = the report's default).
#[component]
pub fn DateField(#[prop(into)] label: String, value: RwSignal<String>, #[prop(into)] test_id: String) -> impl IntoView {
    view! {
        <label class="field">
            <span>{label}</span>
            <input type="date" data-testid=test_id prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev)) />
        </label>
    }
}

/// The time zone the days are cut in; the current value is kept even if it is not a common one.
#[component]
pub fn ZoneSelect(value: RwSignal<String>, #[prop(into)] test_id: String) -> impl IntoView {
    let current = value.get_untracked();
    let extra = (!current.is_empty() && !COMMON_ZONES.contains(&current.as_str())).then_some(current);
    view! {
        <label class="field">
            <span>"Time zone"</span>
            <select data-testid=test_id prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
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
            <select data-testid=test_id prop:value=move || value.get() on:change=move |ev| value.set(event_target_value(&ev))>
                {groups.into_iter().map(|g| {
                    let selected = value.with_untracked(|v| v == g.as_str() || (v.is_empty() && g == GroupBy::Day));
                    view! { <option value=g.as_str() selected=selected>{g.label()}</option> }
                }).collect_view()}
            </select>
        </label>
    }
}
