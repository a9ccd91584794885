//! `/admin/programs`: merchants' affiliate programs (conversions API) — search, page through,
//! add one with its commission rule (its first API key is shown once).

use leptos::prelude::*;

use super::entity_detail::{refetch_on_success, EntityCells};
use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::programs::{create_program, list_programs, NewProgram};
use crate::components::field_error::track_form_errors;
use crate::components::list_page::searchable_listing;
use crate::components::{FieldError, FormCard, ListPage, PageHead, SecretOnce, TextField};
use crate::domain::currency::Currency;
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

/// One row of the list.
fn row(p: Program) -> impl IntoView {
    view! {
        <tr data-testid="program-row" data-name=p.name.clone()>
            <EntityCells list="/admin/programs" id=p.id.clone() name=p.name.clone() active=p.active />
            <td>{commission_text(&p)}</td>
            <td class="num">{p.handles.len()}</td>
            <td class="nowrap">{date_time(p.created_at)}</td>
        </tr>
    }
}

#[component]
fn Programs() -> impl IntoView {
    let (search, offset, listing) = searchable_listing(list_programs);
    let create = Action::new(|input: &CommissionInput| {
        let input = input.clone();
        async move { create_program(input.name, input.currency, input.kind, input.value).await }
    });
    refetch_on_success(create, listing);
    view! {
        <PageHead title="Programs" />
        <p class="muted">"Affiliate programs of merchants that report sales through " <code>"/api/v1/conversions"</code> " with an API key. Publishers earn through their referral codes, coupons, assets and sources."</p>
        <CreateProgram create />
        <ListPage listing offset search search_placeholder="Name or id"
            headers=vec!["Name", "Id", "State", "Commission", "Codes#", "Created (UTC)"] test_id="programs-table" label="Programs"
            nothing_yet="No programs yet" next_step="Add a program above and give the merchant its API key." row />
    }
}

/// The commission fields (kind select + value) shared by the create and edit forms.
#[component]
pub(super) fn CommissionFields(
    kind: RwSignal<String>,
    value: RwSignal<String>,
    error: Signal<Option<FormError>>,
    #[prop(into)] prefix: String,
) -> impl IntoView {
    let kind_id = format!("{prefix}-commission-kind");
    let value_id = format!("{prefix}-commission-value");
    let percent_error = format!("{prefix}-percent-error");
    let cents_error = format!("{prefix}-cents-error");
    let described = format!("{percent_error} {cents_error}");
    let invalid = move || {
        error
            .with(|e| e.as_ref().is_some_and(|e| e.for_field("commission_percent").or(e.for_field("commission_cents")).is_some()))
            .to_string()
    };
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
            <FieldError error field="commission_percent" id=percent_error />
            <FieldError error field="commission_cents" id=cents_error />
        </div>
    }
}

#[component]
fn CreateProgram(create: Action<CommissionInput, Result<NewProgram, FormError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let currency = RwSignal::new("USD".to_string());
    let kind = RwSignal::new("percent".to_string());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    let created = RwSignal::new(None::<NewProgram>);
    track_form_errors(create, error);
    Effect::new(move |_| {
        if let Some(Ok(program)) = create.value().get() {
            name.set(String::new());
            value.set(String::new());
            created.set(Some(program));
        }
    });
    let on_submit = Callback::new(move |_| {
        created.set(None);
        create.dispatch(CommissionInput {
            name: name.get_untracked(),
            currency: currency.get_untracked(),
            kind: kind.get_untracked(),
            value: value.get_untracked(),
        });
    });
    view! {
        <FormCard title="Add a program" test_id="create-program" submit_label="Add program" primary=true pending=create.pending()
            error=error.into() fields=&["name", "currency", "commission_percent", "commission_cents"] on_submit
            footer=move || created.get().map(|program| view! {
                <SecretOnce title=format!("API key for {}", program.name) secret=program.api_key.clone()
                    note="The merchant sends it as the X-Api-Key header." on_dismiss=Callback::new(move |_| created.set(None)) />
                <p><a class="btn btn-wrap" href=format!("/admin/programs/{}", program.id) data-testid="open-program">"Open the program to add codes and coupons →"</a></p>
            })>
            <TextField id="program-name" field="name" label="Name" value=name error=error.into() test_id="program-name" maxlength=100u32 />
            <TextField id="program-currency" field="currency" label="Currency" value=currency error=error.into() test_id="program-currency" maxlength=3u32 />
            <CommissionFields kind value error=error.into() prefix="create" />
        </FormCard>
    }
}
