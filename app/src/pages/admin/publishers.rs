//! `/admin/publishers`: the accounts TapRain pays — search, page through, add one.

use leptos::prelude::*;

use super::networks::active_word;
use super::AdminPage;
use crate::api::error_message;
use crate::api::outcome::{FieldError, Outcome};
use crate::api::publishers::{create_publisher, list_publishers};
use crate::components::field_message::is_invalid;
use crate::components::{FieldMessage, ListSearch, LiveBadge, Pager, StatusBadge};
use crate::domain::catalog::Publisher;
use crate::domain::money::format_usd;
use crate::domain::page::PAGE_SIZE;
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

#[component]
fn Publishers() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let listing = Resource::new(move || (search.get(), offset.get()), |(s, o)| list_publishers(s, o));
    let create = Action::new(|input: &NewPublisherInput| {
        let input = input.clone();
        async move { create_publisher(input.name, input.email, input.id).await }
    });
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(_))) = create.value().get() {
            listing.refetch();
        }
    });
    view! {
        <div class="page-head">
            <h1>"Publishers"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"The accounts TapRain credits. Networks name a publisher by its id (" <code>"external_identifier"</code> "); its balance is its ledger account."</p>
        <CreatePublisher create />
        <ListSearch search offset label="Search publishers" placeholder="Name, id or email" />
        <Transition fallback=|| view! { <p class="loading">"Loading publishers…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty" data-testid="publishers-empty">
                            {if search.get_untracked().trim().is_empty() {
                                view! { <h2>"No publishers yet"</h2><p>"Add the first publisher above, then give it a portal login."</p> }.into_any()
                            } else {
                                view! { <h2>"No publisher matches"</h2><p>"Try another name, id or email, or clear the search."</p> }.into_any()
                            }}
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let shown = page.items.len();
                        let total = page.total;
                        view! {
                            <div class="table-wrap">
                                <table data-testid="publishers-table">
                                    <thead><tr><th>"Name"</th><th>"Id"</th><th>"Email"</th><th>"State"</th><th class="num">"Balance"</th><th>"Created (UTC)"</th></tr></thead>
                                    <tbody>{page.items.into_iter().map(row).collect_view()}</tbody>
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

fn row(p: Publisher) -> impl IntoView {
    view! {
        <tr data-testid="publisher-row" data-name=p.name.clone()>
            <td><a href=format!("/admin/publishers/{}", p.id)>{p.name.clone()}</a></td>
            <td><code class="id">{p.id.clone()}</code></td>
            <td>{p.email.clone().unwrap_or_default()}</td>
            <td><StatusBadge status=active_word(p.active) /></td>
            <td class="num">{format_usd(p.balance_cents)}</td>
            <td class="nowrap">{date_time(p.created_at)}</td>
        </tr>
    }
}

#[component]
fn CreatePublisher(create: Action<NewPublisherInput, Result<Outcome<Publisher>, ServerFnError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let email = RwSignal::new(String::new());
    let id = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Outcome::Invalid(e))) => error.set(Some(e)),
        Some(Ok(Outcome::Done(_))) => {
            error.set(None);
            name.set(String::new());
            email.set(String::new());
            id.set(String::new());
        }
        _ => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if name.with_untracked(|n| n.trim().is_empty()) {
            error.set(Some(FieldError { field: "name".into(), message: "Enter the publisher's name.".into() }));
            return;
        }
        create.dispatch(NewPublisherInput { name: name.get_untracked(), email: email.get_untracked(), id: id.get_untracked() });
    };
    let err = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Add a publisher"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="create-publisher">
                <div class="form-grid">
                    <div>
                        <label for="publisher-name">"Name"</label>
                        <input id="publisher-name" name="name" maxlength="120" autocomplete="off" data-testid="publisher-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "name") aria-describedby="publisher-name-error" />
                        <FieldMessage error=err field="name" id="publisher-name-error" />
                    </div>
                    <div>
                        <label for="publisher-email">"Contact email (optional)"</label>
                        <input id="publisher-email" name="email" type="email" autocomplete="off" data-testid="publisher-email"
                            prop:value=move || email.get() on:input=move |ev| email.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "email") aria-describedby="publisher-email-error" />
                        <FieldMessage error=err field="email" id="publisher-email-error" />
                    </div>
                    <div>
                        <label for="publisher-id">"Id (optional)"</label>
                        <input id="publisher-id" name="id" maxlength="24" autocomplete="off" spellcheck="false" placeholder="24 hex characters; generated if empty" data-testid="publisher-id"
                            prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "id") aria-describedby="publisher-id-error" />
                        <FieldMessage error=err field="id" id="publisher-id-error" />
                    </div>
                </div>
                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="create-publisher-submit" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Adding…" } else { "Add publisher" }}
                    </button>
                </div>
                {move || match create.value().get() {
                    Some(Ok(Outcome::Done(p))) => Some(view! {
                        <p class="alert alert-success" role="status" data-testid="publisher-created">
                            "Added " {p.name.clone()} ". " <a href=format!("/admin/publishers/{}", p.id) data-testid="open-publisher">"Open it to add a login →"</a>
                        </p>
                    }.into_any()),
                    Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&e)}</p> }.into_any()),
                    _ => None,
                }}
            </form>
        </section>
    }
}
