//! A coloured label for a conversion's or a delivery's status.

use leptos::prelude::*;

/// `status` is a machine word (`held`, `credited`, `failed`, …); it picks the colour and is
/// shown with underscores as spaces.
#[component]
pub fn StatusBadge(#[prop(into)] status: String) -> impl IntoView {
    let tone = match status.as_str() {
        "credited" | "delivered" | "ok" | "active" => "good",
        "held" | "pending" | "sending" | "reversal_pending" | "duplicate" | "overlap" | "inactive" | "silent" => "warn",
        "rejected" | "reversed" | "failed" | "revoked" | "expired" | "invalid_signature" | "forbidden" | "unauthorized" | "bad_request"
        | "not_found" | "error" | "refusals_jump" => "bad",
        _ => "neutral",
    };
    let label = status.replace('_', " ");
    view! { <span class=format!("status status-{tone}") data-status=status>{label}</span> }
}
