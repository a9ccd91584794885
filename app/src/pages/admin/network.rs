//! `/admin/networks/:id`: one network — rename, deactivate or reactivate, its security keys
//! (rotate with an overlap, revoke), its approved source IPs (add, remove) and the queue of
//! refused IPs to approve in one click.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::entity_detail::{refetch_after, Act, DetailLoader, EntityHead, HeadText, KeysCard, RemoveSlot, SlotCard};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::networks::{
    add_network_ip, approve_refused_ip, load_network, remove_network_ip, rename_network, revoke_network_key, rotate_network_key,
    set_network_active, NetworkDetails,
};
use crate::components::field_error::{action_error, track_form_errors};
use crate::components::{DataTable, FormCard, TextField};
use crate::domain::health::SourceKind;
use crate::domain::partners::{Network, RefusedIp};
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

/// Every action of the screen, owned above the re-rendered details so an answer is never lost.
#[derive(Clone, Copy)]
struct Actions {
    rename: Act<(String, String), Network, FormError>,
    set_active: Act<(String, bool), Network>,
    rotate: Act<(String, i64), String, FormError>,
    revoke: Act<(String, String), ()>,
    add_ip: Act<(String, String), String, FormError>,
    remove_ip: Act<(String, String, String), ()>,
    approve: Act<(String, String), ()>,
}

const HEAD: HeadText = HeadText {
    heading_test_id: "network-name-heading",
    deactivate: "Its keys stop working at once: its postbacks are refused with 401 until you reactivate it.",
    reactivate: "Its working keys are accepted again.",
    inactive_note: "This network is deactivated: every postback with its keys is refused (401).",
};

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
        remove_ip: Action::new(|(id, _, ip): &(String, String, String)| remove_network_ip(id.clone(), ip.clone())),
        approve: Action::new(|(id, ip): &(String, String)| approve_refused_ip(id.clone(), ip.clone())),
    };
    refetch_after!(details; actions.rename, actions.set_active, actions.rotate, actions.revoke, actions.add_ip, actions.remove_ip, actions.approve);
    view! {
        <DetailLoader back_href="/admin/networks" list="Networks" noun="network" details
            render=move |d: NetworkDetails| view! { <Details details=d actions /> } />
    }
}

#[component]
fn Details(details: NetworkDetails, actions: Actions) -> impl IntoView {
    let NetworkDetails { network, refused, now } = details;
    let id = network.id.clone();
    view! {
        <EntityHead name=network.name.clone() id=id.clone() active=network.active created_at=network.created_at text=HEAD set_active=actions.set_active
            health=SourceKind::Network />
        <Rename id=id.clone() name=network.name.clone() action=actions.rename />
        <KeysCard title="Security keys" owner_id=id.clone() keys=network.keys now rotate=actions.rotate revoke=actions.revoke
            id_prefix="network-key" rotate_label="Rotate key" new_key_note="Give it to the network; it goes in the key= parameter.">
            "The network sends its key as " <code>"key="</code> ". Rotating issues a new key; the old ones keep working for the overlap you choose, so the network can switch without losing postbacks."
        </KeysCard>
        <ApprovedIps id=id.clone() ips=network.ips actions />
        <RefusedQueue id refused actions />
    }
}

#[component]
fn Rename(id: String, name: String, action: Act<(String, String), Network, FormError>) -> impl IntoView {
    let value = RwSignal::new(name);
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(action, error);
    let on_submit = Callback::new(move |_| {
        action.dispatch((id.clone(), value.get_untracked()));
    });
    view! {
        <FormCard title="Name" test_id="rename" submit_label="Save name" pending=action.pending() error=error.into() fields=&["name"] on_submit inline=true>
            <TextField id="rename-input" field="name" label="Network name" value error=error.into() test_id="rename-input" maxlength=100u32 />
        </FormCard>
    }
}

const IP_HINT: &str = "Enter an IPv4 or IPv6 address or a CIDR block such as 203.0.113.0/24.";

#[component]
fn ApprovedIps(id: String, ips: Vec<String>, actions: Actions) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    // A success re-reads the network and draws this list (and an empty field) again.
    track_form_errors(actions.add_ip, error);
    let add_id = id.clone();
    let on_submit = Callback::new(move |_| {
        let raw = value.get_untracked();
        // Checked here first with the server's own parser, so the message comes at once.
        if IpRule::parse(&raw).is_err() {
            error.set(Some(FormError::field("ip", IP_HINT)));
            return;
        }
        error.set(None);
        actions.add_ip.dispatch((add_id.clone(), raw.trim().to_owned()));
    });
    let rows = (!ips.is_empty()).then(|| {
        view! {
            <ul class="ip-list">
                {ips.into_iter().map(|ip| view! {
                    <li class="ip-row" data-testid="approved-ip" data-ip=ip.clone()>
                        <code>{ip.clone()}</code>
                        <RemoveSlot owner_id=id.clone() kind="ip".to_string() code=ip.clone() remove=actions.remove_ip test_id="remove-ip"
                            question=format!("Remove {ip}? Postbacks from it are refused (403) from now on.") />
                    </li>
                }).collect_view()}
            </ul>
        }
        .into_any()
    });
    view! {
        <SlotCard title="Approved IPs" intro="Postbacks are accepted only from these addresses: single IPs or CIDR blocks, IPv4 or IPv6."
            test_id="approved-ips" empty="No approved IPs yet: every postback is refused until you add one." rows remove=actions.remove_ip>
            <FormCard bare=true test_id="add-ip" submit_label="Approve IP" primary=true inline=true pending=actions.add_ip.pending()
                error=error.into() fields=&["ip"] on_submit>
                <TextField id="ip-input" field="ip" label="IP or CIDR" value error=error.into() test_id="ip-input" placeholder="203.0.113.7 or 198.51.100.0/24" />
            </FormCard>
        </SlotCard>
    }
}

#[component]
fn RefusedQueue(id: String, refused: Vec<RefusedIp>, actions: Actions) -> impl IntoView {
    let body = if refused.is_empty() {
        view! { <p class="muted small" data-testid="refused-empty">"No refused IPs. A postback from an address that is not approved lands here, ready to approve in one click."</p> }.into_any()
    } else {
        view! {
            <DataTable headers=vec!["IP", "Refused#", "First seen (UTC)", "Last seen (UTC)", ""] label="Refused IPs">
                {refused.into_iter().map(|r| {
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
                }).collect_view()}
            </DataTable>
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
