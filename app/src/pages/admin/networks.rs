//! `/admin/networks`: the ad networks that post conversions — search, page through, and add one
//! (its first security key is shown once).

use leptos::prelude::*;

use super::entity_detail::{refetch_on_success, EntityCells};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::networks::{create_network, list_networks, NetworkRow, NewNetwork};
use crate::components::field_error::track_form_errors;
use crate::components::list_page::searchable_listing;
use crate::components::{FormCard, ListPage, PageHead, SecretOnce, TextField};
use crate::domain::when::date_time;

#[component]
pub fn AdminNetworksPage() -> impl IntoView {
    view! {
        <AdminPage title="Networks" current="/admin/networks">
            <Networks />
        </AdminPage>
    }
}

#[component]
fn Networks() -> impl IntoView {
    let (search, offset, listing) = searchable_listing(list_networks);
    let create = Action::new(|name: &String| create_network(name.clone()));
    refetch_on_success(create, listing);
    view! {
        <PageHead title="Networks" />
        <p class="muted">"Ad networks and trackers that send CPA postbacks to " <code>"/api/postback/cpa"</code> ". Each authenticates with a security key and may post only from its approved IPs."</p>
        <CreateNetwork create />
        <ListPage listing offset search search_placeholder="Name or id"
            headers=vec!["Name", "Id", "State", "Working keys#", "Approved IPs#", "Created (UTC)"] test_id="networks-table" label="Networks"
            nothing_yet="No networks yet" next_step="Add the first network above; give it the key and approve the IPs it posts from." row />
    }
}

fn row(n: NetworkRow) -> impl IntoView {
    view! {
        <tr data-testid="network-row" data-name=n.name.clone()>
            <EntityCells list="/admin/networks" id=n.id.clone() name=n.name.clone() active=n.active />
            <td class="num">{n.working_keys}</td>
            <td class="num">{n.approved_ips}</td>
            <td class="nowrap">{date_time(n.created_at)}</td>
        </tr>
    }
}

#[component]
fn CreateNetwork(create: Action<String, Result<NewNetwork, FormError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    let created = RwSignal::new(None::<NewNetwork>);
    track_form_errors(create, error);
    Effect::new(move |_| {
        if let Some(Ok(network)) = create.value().get() {
            name.set(String::new());
            created.set(Some(network));
        }
    });
    let on_submit = Callback::new(move |_| {
        if name.with_untracked(|n| n.trim().is_empty()) {
            error.set(Some(FormError::field("name", "Enter the network's name.")));
            return;
        }
        created.set(None);
        create.dispatch(name.get_untracked());
    });
    view! {
        <FormCard title="Add a network" test_id="create-network" submit_label="Add network" primary=true inline=true pending=create.pending()
            error=error.into() fields=&["name"] on_submit
            footer=move || created.get().map(|network| view! {
                <SecretOnce title=format!("Security key for {}", network.name) secret=network.key.clone()
                    note="The network sends it as the key= parameter of every postback." on_dismiss=Callback::new(move |_| created.set(None)) />
                <p><a class="btn btn-wrap" href=format!("/admin/networks/{}", network.id) data-testid="open-network">"Open the network to approve its IPs →"</a></p>
            })>
            <TextField id="network-name" field="name" label="Name" value=name error=error.into() test_id="network-name" maxlength=100u32 />
        </FormCard>
    }
}
