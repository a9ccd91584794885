//! `/admin/publishers`: the accounts TapRain pays — search, page through, add one.

use leptos::prelude::*;

use super::entity_detail::{refetch_on_success, EntityCells};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::publishers::{create_publisher, list_publishers};
use crate::components::field_error::track_form_errors;
use crate::components::list_page::searchable_listing;
use crate::components::{FormCard, ListPage, PageHead, TextField};
use crate::domain::money::format_usd;
use crate::domain::partners::Publisher;
use crate::domain::when::date_time;

#[component]
pub fn AdminPublishersPage() -> impl IntoView {
    view! {
        <AdminPage title="Publishers" current="/admin/publishers">
            <Publishers />
        </AdminPage>
    }
}

#[derive(Clone)]
struct NewPublisherInput {
    name: String,
    email: String,
    id: String,
}

/// One row of the list.
fn row(p: Publisher) -> impl IntoView {
    view! {
        <tr data-testid="publisher-row" data-name=p.name.clone()>
            <EntityCells list="/admin/publishers" id=p.id.clone() name=p.name.clone() active=p.active />
            <td class="wrap">{p.email.clone().unwrap_or_default()}</td>
            <td class="num">{format_usd(p.balance_cents)}</td>
            <td class="nowrap">{date_time(p.created_at)}</td>
        </tr>
    }
}

#[component]
fn Publishers() -> impl IntoView {
    let (search, offset, listing) = searchable_listing(list_publishers);
    let create = Action::new(|input: &NewPublisherInput| {
        let input = input.clone();
        async move { create_publisher(input.name, input.email, input.id).await }
    });
    refetch_on_success(create, listing);
    view! {
        <PageHead title="Publishers" />
        <p class="muted">"The accounts TapRain credits. Networks name a publisher by its id (" <code>"external_identifier"</code> "); its balance is its ledger account."</p>
        <CreatePublisher create />
        <ListPage listing offset search search_placeholder="Name, id or email"
            headers=vec!["Name", "Id", "State", "Email", "Balance#", "Created (UTC)"] test_id="publishers-table" label="Publishers"
            nothing_yet="No publishers yet" next_step="Add the first publisher above, then give it a portal login." row />
    }
}

#[component]
fn CreatePublisher(create: Action<NewPublisherInput, Result<Publisher, FormError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(create, error);
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            name.set(String::new());
            email.set(String::new());
            id.set(String::new());
        }
    });
    let on_submit = Callback::new(move |_| {
        if name.with_untracked(|n| n.trim().is_empty()) {
            error.set(Some(FormError::field("name", "Enter the publisher's name.")));
            return;
        }
        create.dispatch(NewPublisherInput { name: name.get_untracked(), email: email.get_untracked(), id: id.get_untracked() });
    });
    view! {
        <FormCard title="Add a publisher" test_id="create-publisher" submit_label="Add publisher" primary=true pending=create.pending()
            error=error.into() fields=&["name", "email", "id"] on_submit
            footer=move || create.value().get().and_then(Result::ok).map(|p| view! {
                <p class="alert alert-success" role="status" data-testid="publisher-created">
                    "Added " {p.name.clone()} ". " <a href=format!("/admin/publishers/{}", p.id) data-testid="open-publisher">"Open it to add a login →"</a>
                </p>
            })>
            <TextField id="publisher-name" field="name" label="Name" value=name error=error.into() test_id="publisher-name" maxlength=120u32 />
            <TextField id="publisher-email" field="email" label="Contact email (optional)" value=email error=error.into() test_id="publisher-email" input_type="email" />
            <TextField id="publisher-id" field="id" label="Id (optional)" value=id error=error.into() test_id="publisher-id" maxlength=24u32
                placeholder="24 hex characters; generated if empty" />
        </FormCard>
    }
}
