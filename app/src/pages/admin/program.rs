//! `/admin/programs/:id`: one program — edit its name and commission rule, deactivate or
//! reactivate, its API keys (rotate with an overlap, revoke), and the referral codes, coupons,
//! assets and sources its publishers own.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::networks::active_word;
use super::programs::{commission_text, CommissionFields};
use super::AdminPage;
use crate::api::error_message;
use crate::api::outcome::{FieldError, Outcome};
use crate::api::programs::{
    add_handle, edit_program, load_program, remove_handle, revoke_program_key, rotate_program_key, set_program_active, ProgramDetails,
};
use crate::components::field_message::{action_error, is_invalid, track_field_errors};
use crate::components::{ConfirmButton, FieldMessage, KeyList, LiveBadge, RotateControl, SecretOnce, StatusBadge};
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

type Act<I, O> = Action<I, Result<O, ServerFnError>>;

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
    edit: Act<EditInput, Outcome<Program>>,
    set_active: Act<(String, bool), Program>,
    rotate: Act<(String, i64), Outcome<String>>,
    revoke: Act<(String, String), ()>,
    handle: Act<HandleInput, Outcome<ProgramHandle>>,
    remove: Act<(String, String, String), ()>,
}

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
    refetch_when(Signal::derive(move || matches!(actions.edit.value().get(), Some(Ok(Outcome::Done(_))))));
    refetch_when(Signal::derive(move || matches!(actions.set_active.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.revoke.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.handle.value().get(), Some(Ok(Outcome::Done(_))))));
    refetch_when(Signal::derive(move || matches!(actions.remove.value().get(), Some(Ok(_)))));
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(key))) = actions.rotate.value().get() {
            new_key.set(Some(key));
            details.refetch();
        }
    });
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/programs">"← Programs"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the program…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d actions new_key /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Program"</h1><LiveBadge /></div>
                        <p class="alert alert-error" role="alert">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Details(details: ProgramDetails, actions: Actions, new_key: RwSignal<Option<String>>) -> impl IntoView {
    let ProgramDetails { program, publishers, now } = details;
    let id = program.id.clone();
    let active = program.active;
    let (label, question, yes) = if active {
        (
            "Deactivate",
            format!(
                "Deactivate {}? Its API keys stop working at once: the merchant's calls are refused with 401 until you reactivate it.",
                program.name
            ),
            "Yes, deactivate",
        )
    } else {
        ("Reactivate", format!("Reactivate {}? Its working API keys are accepted again.", program.name), "Yes, reactivate")
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
    let names: Vec<(String, String)> = publishers.clone();
    let owner = move |publisher_id: &str| {
        names.iter().find(|(id, _)| id == publisher_id).map(|(_, n)| n.clone()).unwrap_or_else(|| publisher_id.to_owned())
    };
    let handles = program.handles.clone();
    view! {
        <div class="page-head">
            <h1 data-testid="program-heading">{program.name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=active_word(active) />
                <ConfirmButton label question confirm_label=yes danger=active pending=actions.set_active.pending() test_id="toggle-active" on_confirm=toggle />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Id " <code class="id">{id.clone()}</code> " · " {program.currency.clone()} " · " <span data-testid="program-commission">{commission_text(&program)}</span> " · created " {date_time(program.created_at)} " UTC"</p>
        {action_error(actions.set_active.value())}
        {(!active).then(|| view! { <p class="alert alert-info" role="status" data-testid="inactive-note">"This program is deactivated: calls with its API keys are refused (401)."</p> })}

        <EditProgram program=program.clone() actions />

        <section class="card" data-testid="keys">
            <h2>"API keys"</h2>
            <p class="muted">"The merchant sends the key as " <code>"X-Api-Key"</code> ". Rotating issues a new key; the old ones keep working for the overlap you choose."</p>
            <KeyList keys=program.keys now noun="key" on_revoke=revoke pending=actions.revoke.pending() />
            {action_error(actions.revoke.value())}
            <RotateControl id="program-key" on_rotate=rotate pending=actions.rotate.pending() label="Rotate API key" />
            {move || match actions.rotate.value().get() {
                Some(Ok(Outcome::Invalid(e))) => Some(view! { <p class="field-error" role="alert">{e.message}</p> }.into_any()),
                Some(Err(err)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any()),
                _ => None,
            }}
            {move || new_key.get().map(|key| view! {
                <SecretOnce title="New API key" secret=key note="The merchant sends it as the X-Api-Key header." on_dismiss=Callback::new(move |_| new_key.set(None)) />
            })}
        </section>

        <section class="card" data-testid="handles">
            <h2>"Codes, coupons, assets and sources"</h2>
            <p class="muted">"Each belongs to one publisher. A conversion that carries one is credited to its owner (coupon first, then click id, referral code, asset, source)."</p>
            {if handles.is_empty() {
                view! { <p class="muted small" data-testid="handles-empty">"None yet: add the first one below."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table>
                            <thead><tr><th>"Kind"</th><th>"Code"</th><th>"Publisher"</th><th>"Added (UTC)"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                            <tbody>
                                {handles.into_iter().map(|h| view! {
                                    <tr data-testid="handle-row" data-kind=h.kind.field()>
                                        <td>{kind_label(h.kind)}</td>
                                        <td><code>{h.code.clone()}</code></td>
                                        <td><a href=format!("/admin/publishers/{}", h.publisher_id)>{owner(&h.publisher_id)}</a></td>
                                        <td class="nowrap">{date_time(h.created_at)}</td>
                                        <td class="actions">{
                                            let target = (id.clone(), h.kind.field().to_owned(), h.code.clone());
                                            view! {
                                                <ConfirmButton label="Remove" small=true danger=true test_id="remove-handle"
                                                    question=format!("Remove {} {}? Conversions that carry it are no longer credited to its publisher.", kind_label(h.kind).to_lowercase(), h.code)
                                                    confirm_label="Yes, remove" pending=actions.remove.pending()
                                                    on_confirm=Callback::new(move |_| { actions.remove.dispatch(target.clone()); }) />
                                            }
                                        }</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
            {action_error(actions.remove.value())}
            <AddHandle id publishers actions />
        </section>
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
    let error = RwSignal::new(None::<FieldError>);
    track_field_errors(actions.edit, error);
    let id = program.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actions.edit.dispatch(EditInput {
            id: id.clone(),
            name: name.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
        });
    };
    let err = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Name and commission"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="edit-program">
                <div class="form-grid">
                    <div>
                        <label for="edit-program-name">"Name"</label>
                        <input id="edit-program-name" maxlength="100" autocomplete="off" data-testid="edit-program-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "name") aria-describedby="edit-program-name-error" />
                        <FieldMessage error=err field="name" id="edit-program-name-error" />
                    </div>
                    <CommissionFields kind value error=err prefix="edit" />
                </div>
                <p class="hint">"A new rule applies to conversions from now on; credited ones keep theirs."</p>
                <div class="button-row">
                    <button type="submit" class="btn btn-inline" data-testid="edit-program-submit" disabled=move || actions.edit.pending().get()>"Save"</button>
                </div>
                {action_error(actions.edit.value())}
            </form>
        </section>
    }
}

#[component]
fn AddHandle(id: String, publishers: Vec<(String, String)>, actions: Actions) -> impl IntoView {
    let kind = RwSignal::new(HandleKind::Coupon.field().to_string());
    let publisher = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    track_field_errors(actions.handle, error);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if publisher.with_untracked(String::is_empty) {
            error.set(Some(FieldError { field: "publisher_id".into(), message: "Choose the publisher who owns it.".into() }));
            return;
        }
        actions.handle.dispatch(HandleInput {
            id: id.clone(),
            kind: kind.get_untracked(),
            publisher: publisher.get_untracked(),
            code: code.get_untracked(),
        });
    };
    let err = Signal::from(error);
    let no_publishers = publishers.is_empty();
    view! {
        <form class="form" on:submit=on_submit novalidate data-testid="add-handle">
            <h3>"Add one"</h3>
            {no_publishers.then(|| view! { <p class="alert alert-info">"Add a publisher first: every code belongs to one."</p> })}
            <div class="form-grid">
                <div>
                    <label for="handle-kind">"Kind"</label>
                    <select id="handle-kind" data-testid="handle-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                        {KINDS.iter().map(|(k, label)| view! { <option value=k.field() selected=kind.get_untracked() == k.field()>{*label}</option> }).collect_view()}
                    </select>
                </div>
                <div>
                    <label for="handle-publisher">"Publisher"</label>
                    <select id="handle-publisher" data-testid="handle-publisher" prop:value=move || publisher.get() on:change=move |ev| publisher.set(event_target_value(&ev))
                        aria-invalid=is_invalid(err, "publisher_id") aria-describedby="handle-publisher-error">
                        <option value="">"Choose…"</option>
                        {publishers.into_iter().map(|(id, name)| view! { <option value=id>{name}</option> }).collect_view()}
                    </select>
                    <FieldMessage error=err field="publisher_id" id="handle-publisher-error" />
                </div>
                <div>
                    <label for="handle-code">"Code"</label>
                    <input id="handle-code" maxlength="255" autocomplete="off" spellcheck="false" data-testid="handle-code"
                        prop:value=move || code.get() on:input=move |ev| code.set(event_target_value(&ev))
                        aria-invalid=is_invalid(err, "code") aria-describedby="handle-code-error" />
                    <FieldMessage error=err field="code" id="handle-code-error" />
                </div>
            </div>
            <div class="button-row">
                <button type="submit" class="btn btn-primary btn-inline" data-testid="add-handle-submit" disabled=move || actions.handle.pending().get()>"Add"</button>
            </div>
            {move || match actions.handle.value().get() {
                Some(Ok(Outcome::Done(h))) => Some(view! { <p class="alert alert-success" role="status" data-testid="handle-added">{format!("Added {} {}.", kind_label(h.kind).to_lowercase(), h.code)}</p> }.into_any()),
                Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&e)}</p> }.into_any()),
                _ => None,
            }}
        </form>
    }
}
