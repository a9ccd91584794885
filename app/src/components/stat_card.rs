//! One headline number with its label.

use leptos::prelude::*;

#[component]
pub fn StatCard(
    #[prop(into)] label: String,
    #[prop(into)] value: String,
    #[prop(into, optional)] hint: String,
    #[prop(into)] test_id: String,
) -> impl IntoView {
    view! {
        <div class="stat">
            <div class="stat-label">{label}</div>
            <div class="stat-value" data-testid=test_id>{value}</div>
            <div class="stat-hint">{hint}</div>
        </div>
    }
}
