//! `/admin/publishers/:id`: one publisher — balance, edit name and email, deactivate or
//! reactivate, and its portal logins (add one with email and password, deactivate or
//! reactivate one).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::entity_detail::{active_word, refetch_after, Act, DetailLoader, EntityHead, HeadText};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::publishers::{
    create_login, edit_publisher, load_publisher, set_login_active, set_publisher_active, LoginInfo, PublisherDetails,
};
use crate::components::field_error::{action_error, track_form_errors};
use crate::components::{ConfirmButton, DataTable, FormCard, StatCard, StatusBadge, TextField};
use crate::domain::money::format_usd;
use crate::domain::partners::Publisher;

#[component]
pub fn AdminPublisherPage() -> impl IntoView {
    view! {
        <AdminPage title="Publisher" current="/admin/publishers">
            <PublisherView />
        </AdminPage>
    }
}

#[derive(Clone, Copy)]
struct Actions {
    edit: Act<(String, String, String), Publisher, FormError>,
    set_active: Act<(String, bool), Publisher>,
    login: Act<(String, String, String), LoginInfo, FormError>,
    login_active: Act<(String, String, bool), LoginInfo>,
}

const HEAD: HeadText = HeadText {
    heading_test_id: "publisher-heading",
    deactivate: "Its logins can no longer sign in and its postbacks are refused, so it is credited nothing until reactivated.",
    reactivate: "Its logins can sign in and it is credited again.",
    inactive_note: "This publisher is deactivated: its logins cannot sign in and its postbacks are refused.",
};

#[component]
fn PublisherView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, load_publisher);
    let actions = Actions {
        edit: Action::new(|(id, name, email): &(String, String, String)| edit_publisher(id.clone(), name.clone(), email.clone())),
        set_active: Action::new(|(id, active): &(String, bool)| set_publisher_active(id.clone(), *active)),
        login: Action::new(|(id, email, password): &(String, String, String)| create_login(id.clone(), email.clone(), password.clone())),
        login_active: Action::new(|(id, user, active): &(String, String, bool)| set_login_active(id.clone(), user.clone(), *active)),
    };
    refetch_after!(details; actions.edit, actions.set_active, actions.login, actions.login_active);
    view! {
        <DetailLoader back_href="/admin/publishers" list="Publishers" noun="publisher" details
            render=move |d: PublisherDetails| view! { <Details details=d actions /> } />
    }
}

#[component]
fn Details(details: PublisherDetails, actions: Actions) -> impl IntoView {
    let PublisherDetails { publisher, logins } = details;
    let id = publisher.id.clone();
    view! {
        <EntityHead name=publisher.name.clone() id=id.clone() active=publisher.active created_at=publisher.created_at text=HEAD
            set_active=actions.set_active id_test_id="publisher-id" />
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
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(actions.edit, error);
    let id = publisher.id.clone();
    let on_submit = Callback::new(move |_| {
        actions.edit.dispatch((id.clone(), name.get_untracked(), email.get_untracked()));
    });
    view! {
        <FormCard title="Details" test_id="edit" submit_label="Save details" pending=actions.edit.pending() error=error.into() fields=&["name", "email"] on_submit>
            <TextField id="edit-name" field="name" label="Name" value=name error=error.into() test_id="edit-name" maxlength=120u32 />
            <TextField id="edit-email" field="email" label="Contact email" value=email error=error.into() test_id="edit-email" input_type="email" />
        </FormCard>
    }
}

#[component]
fn Logins(id: String, logins: Vec<LoginInfo>, actions: Actions) -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(actions.login, error);
    let publisher_id = id.clone();
    let on_submit = Callback::new(move |_| {
        if email.with_untracked(|e| e.trim().is_empty()) {
            error.set(Some(FormError::field("email", "Enter the email they will sign in with.")));
            return;
        }
        actions.login.dispatch((publisher_id.clone(), email.get_untracked(), password.get_untracked()));
    });
    let list = if logins.is_empty() {
        view! { <p class="muted small" data-testid="logins-empty">"No logins yet: add one below so the publisher can use the portal."</p> }
            .into_any()
    } else {
        view! {
            <DataTable headers=vec!["Email", "State", ""] label="Portal logins">
                {logins.into_iter().map(|l| {
                    let target = (id.clone(), l.id.clone(), !l.active);
                    let (label, question, yes) = if l.active {
                        ("Deactivate", format!("Deactivate {}? They are signed out and cannot sign in until reactivated.", l.email), "Yes, deactivate")
                    } else {
                        ("Reactivate", format!("Reactivate {}? They can sign in again.", l.email), "Yes, reactivate")
                    };
                    view! {
                        <tr data-testid="login-row">
                            <td class="wrap">{l.email.clone()}</td>
                            <td><StatusBadge status=active_word(l.active) /></td>
                            <td class="actions">
                                <ConfirmButton label question confirm_label=yes danger=l.active small=true pending=actions.login_active.pending()
                                    test_id="toggle-login" on_confirm=Callback::new(move |_| { actions.login_active.dispatch(target.clone()); }) />
                            </td>
                        </tr>
                    }
                }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section class="card" data-testid="logins">
            <h2>"Portal logins"</h2>
            <p class="muted">"People who sign in at " <code>"/login"</code> " to see this publisher's earnings and postback settings."</p>
            {list}
            {action_error(actions.login_active.value())}
            <FormCard bare=true test_id="create-login" submit_label="Add login" primary=true pending=actions.login.pending()
                error=error.into() fields=&["email", "password"] on_submit
                footer=move || actions.login.value().get().and_then(Result::ok).map(|l| view! {
                    <p class="alert alert-success" role="status" data-testid="login-created">{format!("{} can sign in now.", l.email)}</p>
                })>
                <TextField id="login-email" field="email" label="Email" value=email error=error.into() test_id="login-email" input_type="email" />
                <TextField id="login-password" field="password" label="Password" value=password error=error.into() test_id="login-password"
                    input_type="password" autocomplete="new-password" hint="Give it to them over a safe channel; they sign in with it." />
            </FormCard>
        </section>
    }
}
