//! `/admin/publishers/:id`: one publisher — balance, edit name and email, deactivate or
//! reactivate, and its portal logins (add one with email and password).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::networks::active_word;
use super::AdminPage;
use crate::api::error_message;
use crate::api::outcome::{FieldError, Outcome};
use crate::api::publishers::{create_login, edit_publisher, load_publisher, set_publisher_active, LoginInfo, PublisherDetails};
use crate::components::field_message::{action_error, is_invalid, track_field_errors};
use crate::components::{ConfirmButton, FieldMessage, LiveBadge, StatCard, StatusBadge};
use crate::domain::catalog::Publisher;
use crate::domain::money::format_usd;
use crate::domain::when::date_time;

#[component]
pub fn AdminPublisherPage() -> impl IntoView {
    view! {
        <AdminPage title="Publisher" current="/admin/publishers">
            <PublisherView />
        </AdminPage>
    }
}

type Act<I, O> = Action<I, Result<O, ServerFnError>>;

#[derive(Clone, Copy)]
struct Actions {
    edit: Act<(String, String, String), Outcome<Publisher>>,
    set_active: Act<(String, bool), Publisher>,
    login: Act<(String, String, String), Outcome<LoginInfo>>,
}

#[component]
fn PublisherView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, load_publisher);
    let actions = Actions {
        edit: Action::new(|(id, name, email): &(String, String, String)| edit_publisher(id.clone(), name.clone(), email.clone())),
        set_active: Action::new(|(id, active): &(String, bool)| set_publisher_active(id.clone(), *active)),
        login: Action::new(|(id, email, password): &(String, String, String)| create_login(id.clone(), email.clone(), password.clone())),
    };
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
    refetch_when(Signal::derive(move || matches!(actions.login.value().get(), Some(Ok(Outcome::Done(_))))));
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/publishers">"← Publishers"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the publisher…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d actions /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Publisher"</h1><LiveBadge /></div>
                        <p class="alert alert-error" role="alert">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Details(details: PublisherDetails, actions: Actions) -> impl IntoView {
    let PublisherDetails { publisher, logins } = details;
    let id = publisher.id.clone();
    let active = publisher.active;
    let (label, question, yes) = if active {
        ("Deactivate", format!("Deactivate {}? Its logins can no longer sign in and its postbacks are refused, so it is credited nothing until reactivated.", publisher.name), "Yes, deactivate")
    } else {
        ("Reactivate", format!("Reactivate {}? Its logins can sign in and it is credited again.", publisher.name), "Yes, reactivate")
    };
    let toggle = {
        let id = id.clone();
        Callback::new(move |_| {
            actions.set_active.dispatch((id.clone(), !active));
        })
    };
    view! {
        <div class="page-head">
            <h1 data-testid="publisher-heading">{publisher.name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=active_word(active) />
                <ConfirmButton label question confirm_label=yes danger=active pending=actions.set_active.pending() test_id="toggle-active" on_confirm=toggle />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Id " <code class="id" data-testid="publisher-id">{id.clone()}</code> " · created " {date_time(publisher.created_at)} " UTC"</p>
        {action_error(actions.set_active.value())}
        {(!active).then(|| view! { <p class="alert alert-info" role="status" data-testid="inactive-note">"This publisher is deactivated: its logins cannot sign in and its postbacks are refused."</p> })}
        <div class="stats">
            <StatCard label="Balance" value=format_usd(publisher.balance_cents) hint="From the ledger" test_id="stat-balance" />
            <StatCard label="Logins" value=logins.len().to_string() hint="Portal accounts" test_id="stat-logins" />
        </div>
        <EditPublisher publisher actions />
        <Logins id logins actions />
    }
}

#[component]
fn EditPublisher(publisher: Publisher, actions: Actions) -> impl IntoView {
    let name = RwSignal::new(publisher.name.clone());
    let email = RwSignal::new(publisher.email.clone().unwrap_or_default());
    let error = RwSignal::new(None::<FieldError>);
    track_field_errors(actions.edit, error);
    let id = publisher.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actions.edit.dispatch((id.clone(), name.get_untracked(), email.get_untracked()));
    };
    let err = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Details"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="edit-publisher">
                <div class="form-grid">
                    <div>
                        <label for="edit-name">"Name"</label>
                        <input id="edit-name" maxlength="120" autocomplete="off" data-testid="edit-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "name") aria-describedby="edit-name-error" />
                        <FieldMessage error=err field="name" id="edit-name-error" />
                    </div>
                    <div>
                        <label for="edit-email">"Contact email"</label>
                        <input id="edit-email" type="email" autocomplete="off" data-testid="edit-email"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "email") aria-describedby="edit-email-error" />
                        <FieldMessage error=err field="email" id="edit-email-error" />
                    </div>
                </div>
                <div class="button-row">
                    <button type="submit" class="btn btn-inline" data-testid="edit-submit" disabled=move || actions.edit.pending().get()>"Save details"</button>
                </div>
                {action_error(actions.edit.value())}
            </form>
        </section>
    }
}

#[component]
fn Logins(id: String, logins: Vec<LoginInfo>, actions: Actions) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    track_field_errors(actions.login, error);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if email.with_untracked(|e| e.trim().is_empty()) {
            error.set(Some(FieldError { field: "email".into(), message: "Enter the email they will sign in with.".into() }));
            return;
        }
        actions.login.dispatch((id.clone(), email.get_untracked(), password.get_untracked()));
    };
    let err = Signal::from(error);
    let list = if logins.is_empty() {
        view! { <p class="muted small" data-testid="logins-empty">"No logins yet: add one below so the publisher can use the portal."</p> }
            .into_any()
    } else {
        view! {
            <div class="table-wrap">
                <table>
                    <thead><tr><th>"Email"</th><th>"State"</th></tr></thead>
                    <tbody>
                        {logins.into_iter().map(|l| view! {
                            <tr data-testid="login-row"><td>{l.email}</td><td><StatusBadge status=active_word(l.active) /></td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="card" data-testid="logins">
            <h2>"Portal logins"</h2>
            <p class="muted">"People who sign in at " <code>"/login"</code> " to see this publisher's earnings and postback settings."</p>
            {list}
            <form class="form" on:submit=on_submit novalidate data-testid="create-login">
                <div class="form-grid">
                    <div>
                        <label for="login-email">"Email"</label>
                        <input id="login-email" type="email" autocomplete="off" data-testid="login-email"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "email") aria-describedby="login-email-error" />
                        <FieldMessage error=err field="email" id="login-email-error" />
                    </div>
                    <div>
                        <label for="login-password">"Password"</label>
                        <input id="login-password" type="password" autocomplete="new-password" data-testid="login-password"
                            prop:value=move || password.get() on:input=move |ev| password.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "password") aria-describedby="login-password-error login-password-hint" />
                        <p id="login-password-hint" class="hint">"Give it to them over a safe channel; they sign in with it."</p>
                        <FieldMessage error=err field="password" id="login-password-error" />
                    </div>
                </div>
                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="create-login-submit" disabled=move || actions.login.pending().get()>"Add login"</button>
                </div>
                {move || match actions.login.value().get() {
                    Some(Ok(Outcome::Done(l))) => Some(view! { <p class="alert alert-success" role="status" data-testid="login-created">{format!("{} can sign in now.", l.email)}</p> }.into_any()),
                    Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert" data-testid="login-error">{error_message(&e)}</p> }.into_any()),
                    _ => None,
                }}
            </form>
        </section>
    }
}
