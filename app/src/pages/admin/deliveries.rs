//! `/admin/deliveries`: outbound postbacks to publishers — filter by publisher and status, read
//! each one's attempts, resend one, or resend every failed one.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::AdminPage;
use crate::api::conversions::feed_choices;
use crate::api::deliveries::{list_deliveries, resend_failed_deliveries};
use crate::api::error_message;
use crate::components::delivery_log::{resent_message, DeliveryTable, Viewer};
use crate::components::LiveBadge;
use crate::domain::delivery::DeliveryState;

#[component]
pub fn AdminDeliveriesPage() -> impl IntoView {
    view! {
        <AdminPage title="Deliveries" current="/admin/deliveries">
            <Deliveries />
        </AdminPage>
    }
}

#[component]
fn Deliveries() -> impl IntoView {
    let query = use_query_map();
    let publisher = RwSignal::new(query.with_untracked(|q| q.get("publisher").unwrap_or_default()));
    let status = RwSignal::new(query.with_untracked(|q| q.get("status").unwrap_or_default()));
    let listing = Resource::new(move || (publisher.get(), status.get()), |(p, s)| list_deliveries(p, s));
    let choices = Resource::new(|| (), |_| feed_choices());
    let resend_all = Action::new(move |publisher: &String| {
        let publisher = publisher.clone();
        async move { resend_failed_deliveries(publisher).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = resend_all.value().get() {
            listing.refetch();
        }
    });
    view! {
        <div class="page-head">
            <h1>"Deliveries"</h1>
            <div class="page-actions">
                <button type="button" class="btn" data-testid="resend-all-failed" disabled=move || resend_all.pending().get()
                    on:click=move |_| { resend_all.dispatch(publisher.get_untracked()); }>
                    {move || if resend_all.pending().get() { "Resending…" } else { "Resend all failed" }}
                </button>
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Postbacks TapRain sends to publishers when their conversions are credited or reversed. Failed ones used up their retries; resend them once the publisher's server is fixed. Times are UTC."</p>
        {move || resend_all.value().get().map(|result| match result {
            Ok(count) => view! { <p class="alert alert-success" role="status" data-testid="resend-all-result">{resent_message(count)}</p> }.into_any(),
            Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="resend-all-result">{error_message(&err)}</p> }.into_any(),
        })}
        <Suspense fallback=|| view! { <p class="loading">"Loading filters…"</p> }>
            {move || Suspend::new(async move {
                let publishers = choices.await.map(|c| c.publishers).unwrap_or_default();
                view! {
                    <form class="toolbar filters" aria-label="Filter deliveries" on:submit=|ev| ev.prevent_default()>
                        <label class="field">
                            <span>"Publisher"</span>
                            <select data-testid="filter-publisher" prop:value=move || publisher.get() on:change=move |ev| publisher.set(event_target_value(&ev))>
                                <option value="">"All publishers"</option>
                                {publishers.into_iter().map(|p| {
                                    let selected = publisher.with_untracked(|current| *current == p.id);
                                    view! { <option value=p.id selected=selected>{p.name}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field">
                            <span>"Status"</span>
                            <select data-testid="filter-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                                <option value="">"Any status"</option>
                                {DeliveryState::ALL.into_iter().map(|s| view! {
                                    <option value=s.as_str() selected=status.with_untracked(|c| c == s.as_str())>{s.as_str()}</option>
                                }).collect_view()}
                            </select>
                        </label>
                        <button type="button" class="btn btn-ghost" on:click=move |_| { publisher.set(String::new()); status.set(String::new()); }
                            disabled=move || publisher.with(String::is_empty) && status.with(String::is_empty)>"Clear filters"</button>
                    </form>
                }
            })}
        </Suspense>
        <Transition fallback=|| view! { <p class="loading">"Loading deliveries…"</p> }>
            {move || Suspend::new(async move {
                let names = choices.await.map(|c| c.publishers.into_iter().map(|p| (p.id, p.name)).collect()).unwrap_or_default();
                match listing.await {
                    Ok(rows) if rows.is_empty() => {
                        let filtered = !publisher.get_untracked().is_empty() || !status.get_untracked().is_empty();
                        view! {
                            <div class="empty" data-testid="deliveries-empty">
                                {if filtered {
                                    view! { <h2>"No deliveries match these filters"</h2><p>"Clear the filters to see every delivery."</p> }.into_any()
                                } else {
                                    view! { <h2>"No deliveries yet"</h2><p>"A delivery is queued when a conversion of a publisher with a postback URL is credited or reversed. Publishers set their URL in the portal under Postback settings."</p> }.into_any()
                                }}
                            </div>
                        }.into_any()
                    }
                    Ok(rows) => view! {
                        <DeliveryTable rows viewer=Viewer::Admin publishers=names on_changed=Callback::new(move |_| listing.refetch()) />
                    }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
