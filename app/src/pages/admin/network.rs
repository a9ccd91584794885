//! `/admin/networks/:id`: one network — rename, deactivate or reactivate, its security keys
//! (rotate with an overlap, revoke), its approved source IPs (add, remove) and the queue of
//! refused IPs to approve in one click.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::networks::active_word;
use super::AdminPage;
use crate::api::error_message;
use crate::api::networks::{
    add_network_ip, approve_refused_ip, load_network, remove_network_ip, rename_network, revoke_network_key, rotate_network_key,
    set_network_active, NetworkDetails,
};
use crate::api::outcome::{FieldError, Outcome};
use crate::components::field_message::{action_error, is_invalid, track_field_errors};
use crate::components::{ConfirmButton, FieldMessage, KeyList, LiveBadge, RotateControl, SecretOnce, StatusBadge};
use crate::domain::catalog::{Network, RefusedIp};
use crate::domain::when::date_time;
use crate::domain::IpRule;

#[component]
pub fn AdminNetworkPage() -> impl IntoView {
    view! {
        <AdminPage title="Network" current="/admin/networks">
            <NetworkView />
        </AdminPage>
    }
}

type Act<I, O> = Action<I, Result<O, ServerFnError>>;

/// Every action of the screen, owned above the re-rendered details so an answer is never lost.
#[derive(Clone, Copy)]
struct Actions {
    rename: Act<(String, String), Outcome<Network>>,
    set_active: Act<(String, bool), Network>,
    rotate: Act<(String, i64), Outcome<String>>,
    revoke: Act<(String, String), ()>,
    add_ip: Act<(String, String), Outcome<String>>,
    remove_ip: Act<(String, String), ()>,
    approve: Act<(String, String), ()>,
}

#[component]
fn NetworkView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, load_network);
    let actions = Actions {
        rename: Action::new(|(id, name): &(String, String)| rename_network(id.clone(), name.clone())),
        set_active: Action::new(|(id, active): &(String, bool)| set_network_active(id.clone(), *active)),
        rotate: Action::new(|(id, overlap): &(String, i64)| rotate_network_key(id.clone(), *overlap)),
        revoke: Action::new(|(id, key): &(String, String)| revoke_network_key(id.clone(), key.clone())),
        add_ip: Action::new(|(id, ip): &(String, String)| add_network_ip(id.clone(), ip.clone())),
        remove_ip: Action::new(|(id, ip): &(String, String)| remove_network_ip(id.clone(), ip.clone())),
        approve: Action::new(|(id, ip): &(String, String)| approve_refused_ip(id.clone(), ip.clone())),
    };
    let new_key = RwSignal::new(None::<String>);
    // Each successful change re-reads the details (one effect per action, so an answer never
    // re-reads them because of another action's earlier success).
    let refetch_when = move |done: Signal<bool>| {
        Effect::new(move |_| {
            if done.get() {
                details.refetch();
            }
        });
    };
    refetch_when(Signal::derive(move || matches!(actions.rename.value().get(), Some(Ok(Outcome::Done(_))))));
    refetch_when(Signal::derive(move || matches!(actions.set_active.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.revoke.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.add_ip.value().get(), Some(Ok(Outcome::Done(_))))));
    refetch_when(Signal::derive(move || matches!(actions.remove_ip.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.approve.value().get(), Some(Ok(_)))));
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(key))) = actions.rotate.value().get() {
            new_key.set(Some(key));
            details.refetch();
        }
    });
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/networks">"← Networks"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the network…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d actions new_key /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Network"</h1><LiveBadge /></div>
                        <p class="alert alert-error" role="alert" data-testid="network-error">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Details(details: NetworkDetails, actions: Actions, new_key: RwSignal<Option<String>>) -> impl IntoView {
    let NetworkDetails { network, refused, now } = details;
    let id = network.id.clone();
    let active = network.active;
    let (toggle_label, toggle_question, toggle_yes) = if active {
        (
            "Deactivate",
            format!(
                "Deactivate {}? Its keys stop working at once: its postbacks are refused with 401 until you reactivate it.",
                network.name
            ),
            "Yes, deactivate",
        )
    } else {
        ("Reactivate", format!("Reactivate {}? Its working keys are accepted again.", network.name), "Yes, reactivate")
    };
    let toggle = {
        let id = id.clone();
        Callback::new(move |_| {
            actions.set_active.dispatch((id.clone(), !active));
        })
    };
    let rotate = {
        let id = id.clone();
        Callback::new(move |seconds: i64| {
            new_key.set(None);
            actions.rotate.dispatch((id.clone(), seconds));
        })
    };
    let revoke = {
        let id = id.clone();
        Callback::new(move |key_id: String| {
            actions.revoke.dispatch((id.clone(), key_id));
        })
    };
    view! {
        <div class="page-head">
            <h1 data-testid="network-name-heading">{network.name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=active_word(active) />
                <ConfirmButton label=toggle_label question=toggle_question confirm_label=toggle_yes danger=active
                    pending=actions.set_active.pending() test_id="toggle-active" on_confirm=toggle />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Id " <code class="id">{id.clone()}</code> " · created " {date_time(network.created_at)} " UTC"</p>
        {action_error(actions.set_active.value())}
        {(!active).then(|| view! { <p class="alert alert-info" role="status" data-testid="inactive-note">"This network is deactivated: every postback with its keys is refused (401)."</p> })}

        <Rename id=id.clone() name=network.name.clone() action=actions.rename />

        <section class="card" data-testid="keys">
            <h2>"Security keys"</h2>
            <p class="muted">"The network sends its key as " <code>"key="</code> ". Rotating issues a new key; the old ones keep working for the overlap you choose, so the network can switch without losing postbacks."</p>
            <KeyList keys=network.keys now noun="key" on_revoke=revoke pending=actions.revoke.pending() />
            {action_error(actions.revoke.value())}
            <RotateControl id="network-key" on_rotate=rotate pending=actions.rotate.pending() label="Rotate key" />
            {move || match actions.rotate.value().get() {
                Some(Ok(Outcome::Invalid(e))) => Some(view! { <p class="field-error" role="alert">{e.message}</p> }.into_any()),
                Some(Err(err)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any()),
                _ => None,
            }}
            {move || new_key.get().map(|key| view! {
                <SecretOnce title="New security key" secret=key note="Give it to the network; it goes in the key= parameter." on_dismiss=Callback::new(move |_| new_key.set(None)) />
            })}
        </section>

        <ApprovedIps id=id.clone() ips=network.ips actions />
        <RefusedQueue id refused actions />
    }
}

#[component]
fn Rename(id: String, name: String, action: Act<(String, String), Outcome<Network>>) -> impl IntoView {
    let value = RwSignal::new(name.clone());
    let error = RwSignal::new(None::<FieldError>);
    track_field_errors(action, error);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        action.dispatch((id.clone(), value.get_untracked()));
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Name"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="rename-network">
                <label for="rename">"Network name"</label>
                <div class="inline-row">
                    <input id="rename" name="name" maxlength="100" autocomplete="off" data-testid="rename-input"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                        aria-invalid=is_invalid(error_signal, "name") aria-describedby="rename-error" />
                    <button type="submit" class="btn btn-inline" data-testid="rename-submit" disabled=move || action.pending().get()>"Save name"</button>
                </div>
                <FieldMessage error=error_signal field="name" id="rename-error" />
                {action_error(action.value())}
            </form>
        </section>
    }
}

#[component]
fn ApprovedIps(id: String, ips: Vec<String>, actions: Actions) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    // A success re-reads the network and draws this list (and an empty field) again.
    track_field_errors(actions.add_ip, error);
    let add_id = id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let raw = value.get_untracked();
        // Checked here first with the server's own parser, so the message comes at once.
        if IpRule::parse(&raw).is_err() {
            error.set(Some(FieldError {
                field: "ip".into(),
                message: "Enter an IPv4 or IPv6 address or a CIDR block such as 203.0.113.0/24.".into(),
            }));
            return;
        }
        error.set(None);
        actions.add_ip.dispatch((add_id.clone(), raw.trim().to_owned()));
    };
    let error_signal = Signal::from(error);
    let rows = ips
        .into_iter()
        .map(|ip| {
            let remove = {
                let (id, ip) = (id.clone(), ip.clone());
                Callback::new(move |_| {
                    actions.remove_ip.dispatch((id.clone(), ip.clone()));
                })
            };
            view! {
                <li class="ip-row" data-testid="approved-ip" data-ip=ip.clone()>
                    <code>{ip.clone()}</code>
                    <ConfirmButton label="Remove" question=format!("Remove {ip}? Postbacks from it are refused (403) from now on.") confirm_label="Yes, remove"
                        danger=true small=true pending=actions.remove_ip.pending() test_id="remove-ip" on_confirm=remove />
                </li>
            }
        })
        .collect_view();
    view! {
        <section class="card" data-testid="approved-ips">
            <h2>"Approved IPs"</h2>
            <p class="muted">"Postbacks are accepted only from these addresses: single IPs or CIDR blocks, IPv4 or IPv6."</p>
            <ul class="ip-list">{rows}</ul>
            {action_error(actions.remove_ip.value())}
            <form class="form" on:submit=on_submit novalidate data-testid="add-ip">
                <label for="add-ip">"IP or CIDR"</label>
                <div class="inline-row">
                    <input id="add-ip" name="ip" autocomplete="off" spellcheck="false" placeholder="203.0.113.7 or 198.51.100.0/24" data-testid="ip-input"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                        aria-invalid=is_invalid(error_signal, "ip") aria-describedby="add-ip-error" />
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="add-ip-submit" disabled=move || actions.add_ip.pending().get()>"Approve IP"</button>
                </div>
                <FieldMessage error=error_signal field="ip" id="add-ip-error" />
                {action_error(actions.add_ip.value())}
            </form>
        </section>
    }
}

#[component]
fn RefusedQueue(id: String, refused: Vec<RefusedIp>, actions: Actions) -> impl IntoView {
    let body = if refused.is_empty() {
        view! { <p class="muted small" data-testid="refused-empty">"No refused IPs. A postback from an address that is not approved lands here, ready to approve in one click."</p> }.into_any()
    } else {
        let rows = refused
            .into_iter()
            .map(|r| {
                let (id, ip) = (id.clone(), r.ip.clone());
                view! {
                    <tr data-testid="refused-ip" data-ip=r.ip.clone()>
                        <td><code>{r.ip.clone()}</code></td>
                        <td class="num">{r.count}</td>
                        <td class="nowrap">{date_time(r.first_seen)}</td>
                        <td class="nowrap">{date_time(r.last_seen)}</td>
                        <td class="actions">
                            <button type="button" class="btn btn-primary btn-small" data-testid="approve-refused" disabled=move || actions.approve.pending().get()
                                on:click=move |_| { actions.approve.dispatch((id.clone(), ip.clone())); }>"Approve"</button>
                        </td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"IP"</th><th class="num">"Refused"</th><th>"First seen (UTC)"</th><th>"Last seen (UTC)"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" data-testid="refused-ips">
            <h2>"Refused IPs"</h2>
            <p class="muted">"Addresses that sent this network's postbacks without being approved (answered 403). Approve one and its next postback is accepted."</p>
            {body}
            {action_error(actions.approve.value())}
        </section>
    }
}
