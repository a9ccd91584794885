//! `/admin/programs/:id`: one program — edit its name and commission rule, deactivate or
//! reactivate, its API keys (rotate with an overlap, revoke), and the referral codes, coupons,
//! assets and sources its publishers own.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::entity_detail::{refetch_after, Act, DetailLoader, EntityHead, HeadText, KeysCard, RemoveSlot, SlotCard};
use super::programs::{commission_text, CommissionFields};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::programs::{
    add_handle, edit_program, load_program, remove_handle, revoke_program_key, rotate_program_key, set_program_active, ProgramDetails,
};
use crate::components::field_error::track_form_errors;
use crate::components::{DataTable, FieldError, FormCard, TextField};
use crate::domain::health::SourceKind;
use crate::domain::program::{HandleKind, Program, ProgramHandle};
use crate::domain::when::date_time;

#[component]
pub fn AdminProgramPage() -> impl IntoView {
    view! {
        <AdminPage title="Program" current="/admin/programs">
            <ProgramView />
        </AdminPage>
    }
}

#[derive(Clone)]
struct EditInput {
    id: String,
    name: String,
    kind: String,
    value: String,
}

#[derive(Clone)]
struct HandleInput {
    id: String,
    kind: String,
    publisher: String,
    code: String,
}

#[derive(Clone, Copy)]
struct Actions {
    edit: Act<EditInput, Program, FormError>,
    set_active: Act<(String, bool), Program>,
    rotate: Act<(String, i64), String, FormError>,
    revoke: Act<(String, String), ()>,
    handle: Act<HandleInput, ProgramHandle, FormError>,
    remove: Act<(String, String, String), ()>,
}

const HEAD: HeadText = HeadText {
    heading_test_id: "program-heading",
    deactivate: "Its API keys stop working at once: the merchant's calls are refused with 401 until you reactivate it.",
    reactivate: "Its working API keys are accepted again.",
    inactive_note: "This program is deactivated: calls with its API keys are refused (401).",
};

/// The handle kinds an admin hands out here (click ids are registered by the API).
const KINDS: [(HandleKind, &str); 4] = [
    (HandleKind::ReferralCode, "Referral code"),
    (HandleKind::Coupon, "Coupon"),
    (HandleKind::AssetId, "Asset id"),
    (HandleKind::SourceId, "Source id"),
];

fn kind_label(kind: HandleKind) -> &'static str {
    KINDS.iter().find(|(k, _)| *k == kind).map(|(_, label)| *label).unwrap_or("Click id")
}

#[component]
fn ProgramView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, load_program);
    let actions = Actions {
        edit: Action::new(|i: &EditInput| {
            let i = i.clone();
            async move { edit_program(i.id, i.name, i.kind, i.value).await }
        }),
        set_active: Action::new(|(id, active): &(String, bool)| set_program_active(id.clone(), *active)),
        rotate: Action::new(|(id, overlap): &(String, i64)| rotate_program_key(id.clone(), *overlap)),
        revoke: Action::new(|(id, key): &(String, String)| revoke_program_key(id.clone(), key.clone())),
        handle: Action::new(|i: &HandleInput| {
            let i = i.clone();
            async move { add_handle(i.id, i.kind, i.publisher, i.code).await }
        }),
        remove: Action::new(|(id, kind, code): &(String, String, String)| remove_handle(id.clone(), kind.clone(), code.clone())),
    };
    refetch_after!(details; actions.edit, actions.set_active, actions.rotate, actions.revoke, actions.handle, actions.remove);
    view! {
        <DetailLoader back_href="/admin/programs" list="Programs" noun="program" details
            render=move |d: ProgramDetails| view! { <Details details=d actions /> } />
    }
}

#[component]
fn Details(details: ProgramDetails, actions: Actions) -> impl IntoView {
    let ProgramDetails { program, publishers, now } = details;
    let id = program.id.clone();
    let names: Vec<(String, String)> = publishers.clone();
    let owner = move |publisher_id: &str| {
        names.iter().find(|(id, _)| id == publisher_id).map(|(_, n)| n.clone()).unwrap_or_else(|| publisher_id.to_owned())
    };
    let handles = program.handles.clone();
    let owner_id = id.clone();
    let rows = (!handles.is_empty()).then(|| {
        view! {
            <DataTable headers=vec!["Kind", "Code", "Publisher", "Added (UTC)", ""] label="Codes">
                {handles.into_iter().map(|h| view! {
                    <tr data-testid="handle-row" data-kind=h.kind.field()>
                        <td>{kind_label(h.kind)}</td>
                        <td class="wrap"><code>{h.code.clone()}</code></td>
                        <td class="wrap"><a href=format!("/admin/publishers/{}", h.publisher_id)>{owner(&h.publisher_id)}</a></td>
                        <td class="nowrap">{date_time(h.created_at)}</td>
                        <td class="actions">
                            <RemoveSlot owner_id=owner_id.clone() kind=h.kind.field().to_owned() code=h.code.clone() remove=actions.remove test_id="remove-handle"
                                question=format!("Remove {} {}? Conversions that carry it are no longer credited to its publisher.", kind_label(h.kind).to_lowercase(), h.code) />
                        </td>
                    </tr>
                }).collect_view()}
            </DataTable>
        }
        .into_any()
    });
    let (currency, commission) = (program.currency.clone(), commission_text(&program));
    view! {
        <EntityHead name=program.name.clone() id=id.clone() active=program.active created_at=program.created_at text=HEAD set_active=actions.set_active
            health=SourceKind::Program>
            {currency} " · " <span data-testid="program-commission">{commission}</span>
        </EntityHead>
        <EditProgram program=program.clone() actions />
        <KeysCard title="API keys" owner_id=id.clone() keys=program.keys now rotate=actions.rotate revoke=actions.revoke
            id_prefix="program-key" rotate_label="Rotate API key" new_key_note="The merchant sends it as the X-Api-Key header.">
            "The merchant sends the key as " <code>"X-Api-Key"</code> ". Rotating issues a new key; the old ones keep working for the overlap you choose."
        </KeysCard>
        <SlotCard title="Codes, coupons, assets and sources" test_id="handles" rows remove=actions.remove empty="None yet: add the first one below."
            intro="Each belongs to one publisher. A conversion that carries one is credited to its owner (coupon first, then click id, referral code, asset, source).">
            <AddHandle id publishers actions />
        </SlotCard>
    }
}

#[component]
fn EditProgram(program: Program, actions: Actions) -> impl IntoView {
    let name = RwSignal::new(program.name.clone());
    let (kind, value) = match (&program.commission_percent, program.commission_cents) {
        (Some(p), _) => ("percent", p.clone()),
        (None, Some(c)) => ("cents", c.to_string()),
        _ => ("percent", String::new()),
    };
    let kind = RwSignal::new(kind.to_string());
    let value = RwSignal::new(value);
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(actions.edit, error);
    let id = program.id.clone();
    let on_submit = Callback::new(move |_| {
        actions.edit.dispatch(EditInput {
            id: id.clone(),
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
        });
    });
    view! {
        <FormCard title="Name and commission" test_id="edit-program" submit_label="Save" pending=actions.edit.pending() error=error.into()
            fields=&["name", "commission_percent", "commission_cents"] on_submit
            footer=|| view! { <p class="hint">"A new rule applies to conversions from now on; credited ones keep theirs."</p> }>
            <TextField id="edit-program-name" field="name" label="Name" value=name error=error.into() test_id="edit-program-name" maxlength=100u32 />
            <CommissionFields kind value error=error.into() prefix="edit" />
        </FormCard>
    }
}

#[component]
fn AddHandle(id: String, publishers: Vec<(String, String)>, actions: Actions) -> impl IntoView {
    let kind = RwSignal::new(HandleKind::Coupon.field().to_string());
    let publisher = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(actions.handle, error);
    let on_submit = Callback::new(move |_| {
        if publisher.with_untracked(String::is_empty) {
            error.set(Some(FormError::field("publisher_id", "Choose the publisher who owns it.")));
            return;
        }
        actions.handle.dispatch(HandleInput {
            id: id.clone(),
            kind: kind.get_untracked(),
            publisher: publisher.get_untracked(),
            code: code.get_untracked(),
        });
    });
    let err = Signal::from(error);
    let no_publishers = publishers.is_empty();
    view! {
        <h3>"Add one"</h3>
        {no_publishers.then(|| view! { <p class="alert alert-info">"Add a publisher first: every code belongs to one."</p> })}
        <FormCard bare=true test_id="add-handle" submit_label="Add" primary=true pending=actions.handle.pending() error=err
            fields=&["kind", "publisher_id", "code"] on_submit
            footer=move || actions.handle.value().get().and_then(Result::ok).map(|h| view! {
                <p class="alert alert-success" role="status" data-testid="handle-added">{format!("Added {} {}.", kind_label(h.kind).to_lowercase(), h.code)}</p>
            })>
            <div>
                <label for="handle-kind">"Kind"</label>
                <select id="handle-kind" data-testid="handle-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                    {KINDS.iter().map(|(k, label)| view! { <option value=k.field() selected=kind.get_untracked() == k.field()>{*label}</option> }).collect_view()}
                </select>
            </div>
            <div>
                <label for="handle-publisher">"Publisher"</label>
                <select id="handle-publisher" data-testid="handle-publisher" prop:value=move || publisher.get() on:change=move |ev| publisher.set(event_target_value(&ev))
                    aria-invalid=crate::components::field_error::invalid(err, "publisher_id") aria-describedby="handle-publisher-error">
                    <option value="">"Choose…"</option>
                    {publishers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                </select>
                <FieldError error=err field="publisher_id" id="handle-publisher-error" />
            </div>
            <TextField id="handle-code" field="code" label="Code" value=code error=err test_id="handle-code" maxlength=255u32 />
        </FormCard>
    }
}
