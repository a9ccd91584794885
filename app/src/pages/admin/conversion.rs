//! `/admin/conversions/:id`: one conversion — its fields, the review decision it allows (with a
//! confirmation step), every postback call about it, and its deliveries to the publisher.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::AdminPage;
use crate::api::conversions::{conversion_details, replay_postback, review_conversion, ConversionInfo};
use crate::api::error_message;
use crate::components::live_events::subscribe_conversions;
use crate::components::reader_zone::{in_zone, local_time, reader_zone};
use crate::components::{ConfirmButton, LiveBadge, StatusBadge};
use crate::domain::conversion::{Conversion, ConversionState, PostbackLogEntry};
use crate::domain::delivery_log::Delivery;
use crate::domain::money::{conversion_worth, format_usd};

#[component]
pub fn AdminConversionPage() -> impl IntoView {
    view! {
        <AdminPage title="Conversion" current="/admin/feed">
            <ConversionView />
        </AdminPage>
    }
}

#[component]
fn ConversionView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, conversion_details);
    // Owned here, above the details: the live event of a decision can re-render the details
    // before the decision's own answer arrives.
    let decide = Action::new(|(id, action): &(String, String)| {
        let (id, action) = (id.clone(), action.clone());
        async move { review_conversion(id, action).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = decide.value().get() {
            details.refetch();
        }
    });
    // Another admin's decision, or a later postback, shows without a reload.
    let _ = subscribe_conversions(move |event| {
        if event.conversion.id == id() {
            details.refetch();
        }
    });
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/feed">"← Live feed"</a></nav>
        {move || decide.value().get().map(|result| match result {
            Ok(c) => view! { <p class="alert alert-success" role="status" data-testid="review-result">{decided(c.state)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="review-result">{error_message(&err)}</p> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="loading">"Loading the conversion…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d decide /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Conversion"</h1></div>
                        <p class="alert alert-error" role="alert" data-testid="conversion-error">{error_message(&err)}</p>
                        <p><a href="/admin/feed">"Back to the live feed"</a></p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn or_dash(value: &Option<String>) -> String {
    value.clone().filter(|v| !v.is_empty()).unwrap_or_else(|| "—".into())
}

#[component]
fn Details(details: ConversionInfo, decide: Decide) -> impl IntoView {
    let ConversionInfo { conversion: c, postbacks, deliveries, network_name, publisher_name, coins } = details;
    let field = |label: &'static str, value: String| {
        view! {
            <div class="field-row">
                <dt>{label}</dt>
                <dd>{value}</dd>
            </div>
        }
    };
    let named = |name: Option<String>, id: &Option<String>| match (name, id) {
        (Some(name), Some(id)) => format!("{name} ({id})"),
        (_, id) => or_dash(id),
    };
    let reasons = if c.reasons.is_empty() { "none".to_string() } else { c.reasons.join(", ").replace('_', " ") };
    view! {
        <div class="page-head">
            <h1>"Conversion " <code class="id">{c.id.clone()}</code></h1>
            <div class="page-actions">
                <span data-testid="conversion-status"><StatusBadge status=c.state.as_str() /></span>
                <LiveBadge />
            </div>
        </div>
        <p class="lead"><strong class="amount" data-testid="conversion-worth">{conversion_worth(&c.source, c.amount_cents, coins)}</strong> " · " {c.source.clone()} " · received " {local_time(c.created_at)} " " {reader_zone().name()}</p>

        <Review conversion=c.clone() publisher=publisher_name.clone() decide />

        <section class="card">
            <h2>"Details"</h2>
            <dl class="fields" data-testid="conversion-fields">
                {field("Offer", or_dash(&c.offer_name))}
                {field("Offer id", or_dash(&c.offer_id))}
                {field("Network", named(network_name, &c.network_id))}
                {field("Publisher", named(publisher_name, &c.publisher_id))}
                {field("Program", or_dash(&c.program_id))}
                {field("Lead id", or_dash(&c.lead_id))}
                {field("Click id", or_dash(&c.click_id))}
                {field("Country", or_dash(&c.country_code))}
                {field("End-user IP", or_dash(&c.ip))}
                {field("Sub-ID 2", or_dash(&c.s2))}
                {field("Postback status", or_dash(&c.network_status))}
                {field("Quality reasons", reasons)}
                {field("Happened", format!("{} {}", local_time(c.event_at), reader_zone().name()))}
                {field("Last change", format!("{} {}", local_time(c.updated_at), reader_zone().name()))}
            </dl>
        </section>

        <section>
            <h2>"Postback log"</h2>
            <PostbackLog entries=postbacks />
        </section>
        <section>
            <h2>"Deliveries to the publisher"</h2>
            <ConversionDeliveries rows=deliveries />
        </section>
    }
}

/// A review decision: (conversion id, `approve` | `reject` | `reverse`).
type Decide = Action<(String, String), Result<Conversion, ServerFnError>>;

/// What a decision did, from the state it left the conversion in.
fn decided(state: ConversionState) -> &'static str {
    match state {
        ConversionState::Credited => "Approved: the conversion is credited to the publisher.",
        ConversionState::Rejected => "Rejected: nothing was credited.",
        ConversionState::Reversed => "Reversed: the credit is compensated with a ledger entry.",
        _ => "Done.",
    }
}

/// What an admin may decide for a conversion in `state`: (action, button label, confirmation question).
fn actions(state: ConversionState) -> &'static [(&'static str, &'static str, &'static str)] {
    match state {
        ConversionState::Held => &[
            ("approve", "Approve", "Approve and credit {amount} to {publisher}?"),
            ("reject", "Reject", "Reject it? {publisher} is not credited."),
        ],
        ConversionState::Credited => {
            &[("reverse", "Reverse", "Reverse it? {amount} is taken back from {publisher} with a compensating ledger entry.")]
        }
        _ => &[],
    }
}

#[component]
fn Review(conversion: Conversion, publisher: Option<String>, decide: Decide) -> impl IntoView {
    let choices = actions(conversion.state);
    let id = conversion.id.clone();
    let question = move |i: usize| {
        choices[i]
            .2
            .replace("{amount}", &format_usd(conversion.amount_cents))
            .replace("{publisher}", publisher.as_deref().unwrap_or("the publisher"))
    };
    if choices.is_empty() {
        return view! {
            <p class="muted" data-testid="review-none">
                {match conversion.state {
                    ConversionState::Rejected => "Rejected by an admin; nothing more to decide.",
                    ConversionState::Reversed => "Reversed; its credit is compensated in the ledger.",
                    ConversionState::Pending => "Pending: the network's postback did not approve it, so nothing was credited.",
                    _ => "No decision is possible in this state.",
                }}
            </p>
        }
        .into_any();
    }
    view! {
        <section class="card review" data-testid="review">
            <h2>{if conversion.state == ConversionState::Held { "Review" } else { "Actions" }}</h2>
            {(conversion.state == ConversionState::Held).then(|| view! {
                <p class="muted">"Held by the quality checks: " {conversion.reasons.join(", ").replace('_', " ")} ". Approve to credit the publisher, or reject."</p>
            })}
            <div class="button-row">
                {choices.iter().enumerate().map(|(i, &(action, label, _))| {
                    let id = id.clone();
                    let on_confirm = Callback::new(move |_| {
                        decide.dispatch((id.clone(), action.to_string()));
                    });
                    view! {
                        <ConfirmButton label question=question(i) confirm_label=format!("Yes, {}", label.to_lowercase())
                            primary={action == "approve"} danger={action != "approve"} pending=decide.pending()
                            test_id=format!("review-{action}") on_confirm />
                    }
                }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn PostbackLog(entries: Vec<PostbackLogEntry>) -> impl IntoView {
    if entries.is_empty() {
        return view! { <p class="empty small">"No postback calls are linked to this conversion."</p> }.into_any();
    }
    let rows = entries
        .into_iter()
        .map(|e| {
            let params = match &e.params {
                serde_json::Value::Object(map) => map
                    .iter()
                    .map(|(k, v)| format!("{k}={}", v.as_str().map(str::to_owned).unwrap_or_else(|| v.to_string())))
                    .collect::<Vec<_>>()
                    .join("  "),
                other => other.to_string(),
            };
            view! {
                <tr>
                    <td class="nowrap">{local_time(e.received_at)}</td>
                    <td><code>{e.source_ip}</code></td>
                    <td><StatusBadge status=e.outcome /></td>
                    <td class="num">{e.http_status}</td>
                    <td>{if e.reason.is_empty() { "—".to_string() } else { e.reason.replace('_', " ") }}</td>
                    <td class="params"><code>{params}</code></td>
                    <td><ReplayCell entry_id=e.id /></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Postback log">
            <table data-testid="postback-log">
                <thead><tr><th>{in_zone("Received")}</th><th>"From"</th><th>"Outcome"</th><th class="num">"HTTP"</th><th>"Reason"</th><th>"Parameters (key removed)"</th><th>"Replay (dry run)"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

/// Re-runs one logged call against today's rules without writing anything, and shows what it
/// would do.
#[component]
fn ReplayCell(entry_id: i64) -> impl IntoView {
    let replay = Action::new(move |_: &()| replay_postback(entry_id));
    view! {
        <button type="button" class="btn btn-small" data-testid="replay" title="Re-run this call against today's rules; nothing is written"
            disabled=move || replay.pending().get() on:click=move |_| { replay.dispatch(()); }>
            {move || if replay.pending().get() { "Replaying…" } else { "Replay" }}
        </button>
        {move || replay.value().get().map(|result| match result {
            Ok(found) => view! {
                <p class="small" role="status" data-testid="replay-result">
                    <StatusBadge status=found.outcome.clone() /> " " {found.summary()}
                </p>
            }.into_any(),
            Err(err) => view! { <p class="small alert alert-error" role="alert" data-testid="replay-result">{error_message(&err)}</p> }.into_any(),
        })}
    }
}

#[component]
fn ConversionDeliveries(rows: Vec<Delivery>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <p class="empty small">"No outbound postbacks: the publisher has no postback URL, or the conversion was never credited. Publishers set their URL in the portal."</p> }.into_any();
    }
    let body = rows
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td class="nowrap">{local_time(d.created_at)}</td>
                    <td>{d.event}</td>
                    <td><StatusBadge status=d.status /></td>
                    <td class="num">{d.attempts}</td>
                    <td class="num">{d.last_status.map(|s| s.to_string()).unwrap_or_else(|| "—".into())}</td>
                    <td class="clip">{d.last_error.unwrap_or_else(|| "—".into())}</td>
                    <td><a href=format!("/admin/deliveries?publisher={}", d.publisher_id)>"Delivery log"</a></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries of this conversion">
            <table data-testid="conversion-deliveries">
                <thead><tr><th>{in_zone("Queued")}</th><th>"Event"</th><th>"Status"</th><th class="num">"Attempts"</th><th class="num">"Last HTTP"</th><th>"Last error"</th><th></th></tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
    .into_any()
}
