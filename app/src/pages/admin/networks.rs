//! `/admin/networks`: the ad networks that post conversions — search, page through, and add one
//! (its first security key is shown once).

use leptos::prelude::*;

use super::AdminPage;
use crate::api::error_message;
use crate::api::networks::{create_network, list_networks, NewNetwork};
use crate::api::outcome::{FieldError, Outcome};
use crate::components::field_message::is_invalid;
use crate::components::{FieldMessage, ListSearch, LiveBadge, Pager, SecretOnce, StatusBadge};
use crate::domain::page::PAGE_SIZE;
use crate::domain::secrets::KeyState;
use crate::domain::when::date_time;

#[component]
pub fn AdminNetworksPage() -> impl IntoView {
    view! {
        <AdminPage title="Networks" current="/admin/networks">
            <Networks />
        </AdminPage>
    }
}

/// "Active" or "Inactive" as a badge word.
pub fn active_word(active: bool) -> &'static str {
    if active {
        "active"
    } else {
        "inactive"
    }
}

#[component]
fn Networks() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let listing = Resource::new(move || (search.get(), offset.get()), |(s, o)| list_networks(s, o));
    let create = Action::new(|name: &String| create_network(name.clone()));
    let created = RwSignal::new(None::<NewNetwork>);
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(network))) = create.value().get() {
            created.set(Some(network));
            listing.refetch();
        }
    });
    view! {
        <div class="page-head">
            <h1>"Networks"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"Ad networks and trackers that send CPA postbacks to " <code>"/api/postback/cpa"</code> ". Each authenticates with a security key and may post only from its approved IPs."</p>
        <CreateNetwork create created />
        <ListSearch search offset label="Search networks" placeholder="Name or id" />
        <Transition fallback=|| view! { <p class="loading">"Loading networks…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(answer) if answer.page.items.is_empty() => view! {
                        <div class="empty" data-testid="networks-empty">
                            {if search.get_untracked().trim().is_empty() {
                                view! { <h2>"No networks yet"</h2><p>"Add the first network above; give it the key and approve the IPs it posts from."</p> }.into_any()
                            } else {
                                view! { <h2>"No network matches"</h2><p>"Try another name, or clear the search."</p> }.into_any()
                            }}
                        </div>
                    }.into_any(),
                    Ok(answer) => {
                        let shown = answer.page.items.len();
                        let total = answer.page.total;
                        let now = answer.now;
                        view! {
                            <div class="table-wrap">
                                <table data-testid="networks-table">
                                    <thead><tr><th>"Name"</th><th>"Id"</th><th>"State"</th><th class="num">"Working keys"</th><th class="num">"Approved IPs"</th><th>"Created (UTC)"</th></tr></thead>
                                    <tbody>
                                        {answer.page.items.into_iter().map(|n| {
                                            let keys = n.keys.iter().filter(|k| KeyState::at(k.valid_until, k.revoked_at, now).works()).count();
                                            view! {
                                                <tr data-testid="network-row" data-name=n.name.clone()>
                                                    <td><a href=format!("/admin/networks/{}", n.id)>{n.name.clone()}</a></td>
                                                    <td><code class="id">{n.id.clone()}</code></td>
                                                    <td><StatusBadge status=active_word(n.active) /></td>
                                                    <td class="num">{keys}</td>
                                                    <td class="num">{n.ips.len()}</td>
                                                    <td class="nowrap">{date_time(n.created_at)}</td>
                                                </tr>
                                            }
                                        }).collect_view()}
                                    </tbody>
                                </table>
                            </div>
                            <Pager offset limit=PAGE_SIZE shown total />
                        }.into_any()
                    }
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn CreateNetwork(
    create: Action<String, Result<Outcome<NewNetwork>, ServerFnError>>,
    created: RwSignal<Option<NewNetwork>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Outcome::Invalid(e))) => error.set(Some(e)),
        Some(Ok(Outcome::Done(_))) => {
            error.set(None);
            name.set(String::new());
        }
        _ => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.with_untracked(|n| n.trim().is_empty()) {
            error.set(Some(FieldError { field: "name".into(), message: "Enter the network's name.".into() }));
            return;
        }
        created.set(None);
        create.dispatch(name.get_untracked());
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Add a network"</h2>
            <form class="form inline-form" on:submit=on_submit novalidate data-testid="create-network">
                <label for="network-name">"Name"</label>
                <div class="inline-row">
                    <input id="network-name" name="name" maxlength="100" autocomplete="off" data-testid="network-name"
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                        aria-invalid=is_invalid(error_signal, "name") aria-describedby="network-name-error" />
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="create-network-submit" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Adding…" } else { "Add network" }}
                    </button>
                </div>
                <FieldMessage error=error_signal field="name" id="network-name-error" />
                {move || match create.value().get() {
                    Some(Err(err)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }),
                    _ => None,
                }}
            </form>
            {move || created.get().map(|network| view! {
                <SecretOnce title=format!("Security key for {}", network.name) secret=network.key.clone()
                    note="The network sends it as the key= parameter of every postback." on_dismiss=Callback::new(move |_| created.set(None)) />
                <p><a class="btn btn-wrap" href=format!("/admin/networks/{}", network.id) data-testid="open-network">"Open the network to approve its IPs →"</a></p>
            })}
        </section>
    }
}
