//! `/admin/programs`: merchants' affiliate programs (conversions API) — search, page through,
//! add one with its commission rule (its first API key is shown once).

use leptos::prelude::*;

use super::networks::active_word;
use super::AdminPage;
use crate::api::error_message;
use crate::api::outcome::{FieldError, Outcome};
use crate::api::programs::{create_program, list_programs, NewProgram};
use crate::components::field_message::is_invalid;
use crate::components::{FieldMessage, ListSearch, LiveBadge, Pager, SecretOnce, StatusBadge};
use crate::domain::currency::Currency;
use crate::domain::page::PAGE_SIZE;
use crate::domain::program::Program;
use crate::domain::when::date_time;

#[component]
pub fn AdminProgramsPage() -> impl IntoView {
    view! {
        <AdminPage title="Programs" current="/admin/programs">
            <Programs />
        </AdminPage>
    }
}

/// "10 % of the amount" or "$2.50 per conversion" (in the program's currency's minor units).
pub fn commission_text(p: &Program) -> String {
    match (&p.commission_percent, p.commission_cents) {
        (Some(percent), _) => format!("{percent} % of the amount"),
        (None, Some(minor)) => {
            let digits = Currency::parse(&p.currency).map(|c| c.minor_digits()).unwrap_or(2);
            let scale = 10_i64.pow(digits);
            let amount = if digits == 0 {
                minor.to_string()
            } else {
                format!("{}.{:0width$}", minor / scale, minor % scale, width = digits as usize)
            };
            format!("{amount} {} per conversion", p.currency)
        }
        (None, None) => "—".into(),
    }
}

#[derive(Clone)]
pub(super) struct CommissionInput {
    pub name: String,
    pub currency: String,
    pub kind: String,
    pub value: String,
}

#[component]
fn Programs() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let listing = Resource::new(move || (search.get(), offset.get()), |(s, o)| list_programs(s, o));
    let create = Action::new(|input: &CommissionInput| {
        let input = input.clone();
        async move { create_program(input.name, input.currency, input.kind, input.value).await }
    });
    let created = RwSignal::new(None::<NewProgram>);
    Effect::new(move |_| {
        if let Some(Ok(Outcome::Done(program))) = create.value().get() {
            created.set(Some(program));
            listing.refetch();
        }
    });
    view! {
        <div class="page-head">
            <h1>"Programs"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"Affiliate programs of merchants that report sales through " <code>"/api/v1/conversions"</code> " with an API key. Publishers earn through their referral codes, coupons, assets and sources."</p>
        <CreateProgram create created />
        <ListSearch search offset label="Search programs" placeholder="Name or id" />
        <Transition fallback=|| view! { <p class="loading">"Loading programs…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(answer) if answer.page.items.is_empty() => view! {
                        <div class="empty" data-testid="programs-empty">
                            {if search.get_untracked().trim().is_empty() {
                                view! { <h2>"No programs yet"</h2><p>"Add a program above and give the merchant its API key."</p> }.into_any()
                            } else {
                                view! { <h2>"No program matches"</h2><p>"Try another name, or clear the search."</p> }.into_any()
                            }}
                        </div>
                    }.into_any(),
                    Ok(answer) => {
                        let shown = answer.page.items.len();
                        let total = answer.page.total;
                        view! {
                            <div class="table-wrap">
                                <table data-testid="programs-table">
                                    <thead><tr><th>"Name"</th><th>"Id"</th><th>"State"</th><th>"Commission"</th><th class="num">"Codes"</th><th>"Created (UTC)"</th></tr></thead>
                                    <tbody>
                                        {answer.page.items.into_iter().map(|p| view! {
                                            <tr data-testid="program-row" data-name=p.name.clone()>
                                                <td><a href=format!("/admin/programs/{}", p.id)>{p.name.clone()}</a></td>
                                                <td><code class="id">{p.id.clone()}</code></td>
                                                <td><StatusBadge status=active_word(p.active) /></td>
                                                <td>{commission_text(&p)}</td>
                                                <td class="num">{p.handles.len()}</td>
                                                <td class="nowrap">{date_time(p.created_at)}</td>
                                            </tr>
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

/// The commission fields (kind select + value) shared by the create and edit forms.
#[component]
pub(super) fn CommissionFields(
    kind: RwSignal<String>,
    value: RwSignal<String>,
    error: Signal<Option<FieldError>>,
    #[prop(into)] prefix: String,
) -> impl IntoView {
    let kind_id = format!("{prefix}-commission-kind");
    let value_id = format!("{prefix}-commission-value");
    let percent_error = format!("{prefix}-percent-error");
    let cents_error = format!("{prefix}-cents-error");
    let described = format!("{percent_error} {cents_error}");
    let invalid =
        move || error.with(|e| e.as_ref().is_some_and(|e| e.field == "commission_percent" || e.field == "commission_cents")).to_string();
    view! {
        <div>
            <label for=kind_id.clone()>"Commission"</label>
            <select id=kind_id data-testid="commission-kind" prop:value=move || kind.get() on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="percent" selected=kind.get_untracked() == "percent">"Percentage of the amount"</option>
                <option value="cents" selected=kind.get_untracked() == "cents">"Fixed amount per conversion (cents)"</option>
            </select>
        </div>
        <div>
            <label for=value_id.clone()>{move || if kind.get() == "cents" { "Cents per conversion" } else { "Percent (0–100)" }}</label>
            <input id=value_id inputmode="decimal" autocomplete="off" data-testid="commission-value"
                prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                aria-invalid=invalid aria-describedby=described />
            <FieldMessage error field="commission_percent" id=percent_error />
            <FieldMessage error field="commission_cents" id=cents_error />
        </div>
    }
}

#[component]
fn CreateProgram(
    create: Action<CommissionInput, Result<Outcome<NewProgram>, ServerFnError>>,
    created: RwSignal<Option<NewProgram>>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
    let kind = RwSignal::new("percent".to_string());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FieldError>);
    Effect::new(move |_| match create.value().get() {
        Some(Ok(Outcome::Invalid(e))) => error.set(Some(e)),
        Some(Ok(Outcome::Done(_))) => {
            error.set(None);
            name.set(String::new());
            value.set(String::new());
        }
        _ => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        created.set(None);
        create.dispatch(CommissionInput {
            name: name.get_untracked(),
            currency: currency.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
        });
    };
    let err = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Add a program"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="create-program">
                <div class="form-grid">
                    <div>
                        <label for="program-name">"Name"</label>
                        <input id="program-name" maxlength="100" autocomplete="off" data-testid="program-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "name") aria-describedby="program-name-error" />
                        <FieldMessage error=err field="name" id="program-name-error" />
                    </div>
                    <div>
                        <label for="program-currency">"Currency"</label>
                        <input id="program-currency" maxlength="3" autocomplete="off" data-testid="program-currency"
                            prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev))
                            aria-invalid=is_invalid(err, "currency") aria-describedby="program-currency-error" />
                        <FieldMessage error=err field="currency" id="program-currency-error" />
                    </div>
                    <CommissionFields kind value error=err prefix="create" />
                </div>
                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="create-program-submit" disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Adding…" } else { "Add program" }}
                    </button>
                </div>
                {move || match create.value().get() {
                    Some(Err(e)) => Some(view! { <p class="alert alert-error" role="alert">{error_message(&e)}</p> }),
                    _ => None,
                }}
            </form>
            {move || created.get().map(|program| view! {
                <SecretOnce title=format!("API key for {}", program.name) secret=program.api_key.clone()
                    note="The merchant sends it as the X-Api-Key header." on_dismiss=Callback::new(move |_| created.set(None)) />
                <p><a class="btn btn-wrap" href=format!("/admin/programs/{}", program.id) data-testid="open-program">"Open the program to add codes and coupons →"</a></p>
            })}
        </section>
    }
}
