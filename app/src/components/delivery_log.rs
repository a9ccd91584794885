//! The delivery log table shared by the admin's deliveries screen and the publisher's postback
//! settings: one row per outbound postback, its attempts on demand, and a resend per finished one.

use std::collections::HashMap;

use leptos::prelude::*;

use super::reader_zone::{in_zone, local_time, reader_zone};
use super::StatusBadge;
use crate::api::error_message;
use crate::domain::delivery_log::{Delivery, DeliveryDetails};

/// Whose server functions the table calls: the admin's, or the signed-in publisher's own.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Viewer {
    Admin,
    Publisher,
}

async fn attempts(viewer: Viewer, id: String) -> Result<DeliveryDetails, ServerFnError> {
    match viewer {
        Viewer::Admin => crate::api::deliveries::delivery_attempts(id).await,
        Viewer::Publisher => crate::api::postback::my_delivery(id).await,
    }
}

async fn resend(viewer: Viewer, id: String) -> Result<(), ServerFnError> {
    match viewer {
        Viewer::Admin => crate::api::deliveries::resend_delivery(id).await,
        Viewer::Publisher => crate::api::postback::resend_my_delivery(id).await,
    }
}

/// "Queued 3 failed deliveries again." and friends.
pub fn resent_message(count: u64) -> String {
    match count {
        0 => "There were no failed deliveries to resend.".into(),
        1 => "Queued 1 failed delivery again; it is sent within seconds.".into(),
        n => format!("Queued {n} failed deliveries again; they are sent within seconds."),
    }
}

/// `rows` as a table; `publishers` names publisher ids (admin only); `on_changed` runs after a resend.
#[component]
pub fn DeliveryTable(
    rows: Vec<Delivery>,
    viewer: Viewer,
    #[prop(optional)] publishers: HashMap<String, String>,
    on_changed: Callback<()>,
) -> impl IntoView {
    let message = RwSignal::new(None::<Result<String, String>>);
    let resend_one = Action::new(move |id: &String| {
        let id = id.clone();
        async move { resend(viewer, id).await }
    });
    Effect::new(move |_| {
        if let Some(result) = resend_one.value().get() {
            match result {
                Ok(()) => {
                    message.set(Some(Ok("Queued again; it is sent within seconds.".into())));
                    on_changed.run(());
                }
                Err(err) => message.set(Some(Err(error_message(&err)))),
            }
        }
    });
    let show_publisher = viewer == Viewer::Admin;
    let body = rows
        .into_iter()
        .map(|d| {
            let open = RwSignal::new(false);
            let id = d.id.clone();
            let finished = matches!(d.status.as_str(), "failed" | "delivered" | "duplicate");
            let publisher = publishers.get(&d.publisher_id).cloned().unwrap_or_else(|| d.publisher_id.clone());
            let conversion = if viewer == Viewer::Admin {
                view! { <a href=format!("/admin/conversions/{}", d.conversion_id)><code>{d.conversion_id.clone()}</code></a> }.into_any()
            } else {
                view! { <code>{d.conversion_id.clone()}</code> }.into_any()
            };
            let last_answer = match (d.last_status, &d.last_error) {
                (_, Some(error)) if !error.is_empty() => error.clone(),
                (Some(status), _) => format!("HTTP {status}"),
                _ => "—".into(),
            };
            let resend_id = id.clone();
            let details_id = format!("attempts-{}", d.id);
            view! {
                <tr data-testid="delivery-row" data-id=d.id.clone() data-status=d.status.clone()>
                    <td class="nowrap">{local_time(d.created_at)}</td>
                    {show_publisher.then(|| view! { <td>{publisher}</td> })}
                    <td>{conversion}</td>
                    <td>{d.event.clone()}</td>
                    <td><StatusBadge status=d.status.clone() /></td>
                    <td class="num">{d.attempts}</td>
                    <td class="clip" title=last_answer.clone()>{last_answer.clone()}</td>
                    <td class="actions">
                        <button type="button" class="btn btn-small" aria-expanded=move || open.get().to_string() aria-controls=details_id.clone()
                            data-testid="toggle-attempts" on:click=move |_| open.update(|o| *o = !*o)>
                            {move || if open.get() { "Hide attempts" } else { "Attempts" }}
                        </button>
                        {finished.then(|| view! {
                            <button type="button" class="btn btn-small" data-testid="resend" disabled=move || resend_one.pending().get()
                                on:click=move |_| { resend_one.dispatch(resend_id.clone()); }>"Resend"</button>
                        })}
                    </td>
                </tr>
                <Show when=move || open.get()>
                    <tr class="attempts-row" id=format!("attempts-{id}")>
                        <td colspan=if show_publisher { "8" } else { "7" }>
                            <AttemptLog viewer id=id.clone() />
                        </td>
                    </tr>
                </Show>
            }
        })
        .collect_view();
    view! {
        {move || message.get().map(|m| match m {
            Ok(text) => view! { <p class="alert alert-success" role="status" data-testid="resend-result">{text}</p> }.into_any(),
            Err(text) => view! { <p class="alert alert-error" role="alert" data-testid="resend-result">{text}</p> }.into_any(),
        })}
        <div class="table-wrap" tabindex="0" role="region" aria-label="Deliveries">
            <table data-testid="deliveries-table">
                <thead>
                    <tr>
                        <th scope="col">{in_zone("Queued")}</th>
                        {show_publisher.then(|| view! { <th scope="col">"Publisher"</th> })}
                        <th scope="col">"Conversion"</th>
                        <th scope="col">"Event"</th>
                        <th scope="col">"Status"</th>
                        <th scope="col" class="num">"Attempts"</th>
                        <th scope="col">"Last answer"</th>
                        <th scope="col"><span class="sr-only">"Actions"</span></th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// Every attempt of one delivery, fetched when opened.
#[component]
fn AttemptLog(viewer: Viewer, id: String) -> impl IntoView {
    let details = Resource::new(move || id.clone(), move |id| attempts(viewer, id));
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading attempts…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) if d.attempt_log.is_empty() => view! {
                        <p class="muted small" data-testid="attempt-log">"No attempt yet; the first one is due " {local_time(d.delivery.next_attempt_at)} " " {reader_zone().name()} "."</p>
                    }.into_any(),
                    Ok(d) => view! {
                        <ol class="attempts" data-testid="attempt-log">
                            {d.attempt_log.into_iter().map(|a| view! {
                                <li>
                                    <div class="attempt-head">
                                        <StatusBadge status=a.outcome />
                                        <span>{local_time(a.attempted_at)} " " {reader_zone().name()}</span>
                                        <span>{a.status_code.map(|s| format!("HTTP {s}")).unwrap_or_else(|| "no answer".into())}</span>
                                        <span class="muted">{a.latency_ms} " ms"</span>
                                    </div>
                                    <code class="url">{a.url}</code>
                                    {a.error.map(|e| view! { <p class="field-error">{e}</p> })}
                                    {(!a.body.is_empty()).then(|| view! { <pre class="body" tabindex="0">{a.body}</pre> })}
                                </li>
                            }).collect_view()}
                        </ol>
                    }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
