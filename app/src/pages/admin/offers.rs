//! `/admin/offers`: the offers catalog — search and page through offers, create one, edit it,
//! deactivate it (hidden from every wall) or reactivate it. The payout is typed in dollars and
//! stored as exact cents; the tracking URL's macros are checked as the admin types, with the
//! parser the server uses.

use leptos::prelude::*;

use super::AdminPage;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::api::offers::{list_offers, save_offer, set_offer_active, OfferForm, OFFER_FIELDS};
use crate::components::field_error::{focus_on_open, invalid};
use crate::components::{ActiveFilter, ConfirmButton, FieldError, FormAlert, ListPage, LiveBadge, SearchBar, SearchBox, StatusBadge};
use crate::domain::money::{cents_as_decimal, format_usd};
use crate::domain::offer::{Offer, OfferUrl};

#[component]
pub fn AdminOffersPage() -> impl IntoView {
    view! {
        <AdminPage title="Offers" current="/admin/offers">
            <Offers />
        </AdminPage>
    }
}

/// What the editor works on: a new offer, or an existing one.
#[derive(Clone, PartialEq)]
enum Editing {
    New,
    Existing(Box<Offer>),
}

#[component]
fn Offers() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let listing = Resource::new(move || (q.get(), status.get(), offset.get()), |(q, s, o)| list_offers(q, s, o));
    let editing = RwSignal::new(None::<Editing>);
    let notice = RwSignal::new(None::<String>);
    let toggle = Action::new(|(id, active): &(String, bool)| set_offer_active(id.clone(), *active));
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(offer)) => {
            notice.set(Some(format!("{} is {}.", offer.name, if offer.active { "active again" } else { "deactivated" })));
            listing.refetch();
        }
        Some(Err(err)) => notice.set(Some(error_message(&err))),
        None => {}
    });
    let on_saved = Callback::new(move |offer: Offer| {
        notice.set(Some(format!("Saved {}.", offer.name)));
        editing.set(None);
        listing.refetch();
    });
    view! {
        <div class="page-head">
            <h1>"Offers"</h1>
            <div class="page-actions">
                <button type="button" class="btn btn-primary btn-inline" data-testid="new-offer"
                    on:click=move |_| { notice.set(None); editing.set(Some(Editing::New)); }>"New offer"</button>
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Offers appear on every active offerwall whose visitor matches their countries and device. A click sends the visitor to the tracking URL with the click id filled in; the network's postback later names that click."</p>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status" data-testid="notice">{text}</p> })}
        {move || editing.get().map(|e| view! { <OfferEditor editing=e on_saved on_cancel=Callback::new(move |_| editing.set(None)) /> })}
        <SearchBar label="Find offers">
            <SearchBox value=q offset label="Search" placeholder="Name or id" test_id="search" />
            <ActiveFilter value=status offset />
        </SearchBar>
        <ListPage listing offset filtered=Signal::derive(move || !q.get().trim().is_empty() || !status.get().is_empty())
            headers=vec!["Offer", "Payout#", "Countries", "Device", "Status", ""] test_id="offers-table" label="Offers"
            nothing_yet="No offers yet" next_step="Create the first one with “New offer”: a name, the payout a conversion earns, and the advertiser's tracking URL."
            row=move |offer: Offer| view! { <OfferRow offer editing toggle /> } />
    }
}

#[component]
fn OfferRow(
    offer: Offer,
    editing: RwSignal<Option<Editing>>,
    toggle: Action<(String, bool), Result<Offer, ServerFnError>>,
) -> impl IntoView {
    let countries = if offer.countries.is_empty() { "All".to_string() } else { offer.countries.join(", ") };
    let id = offer.id.clone();
    let active = offer.active;
    let edit_target = offer.clone();
    view! {
        <tr data-testid="offer-row" data-name=offer.name.clone()>
            <td>
                <strong>{offer.name.clone()}</strong>
                <div><code class="id">{offer.id.clone()}</code></div>
            </td>
            <td class="num">{format_usd(offer.payout_cents)}</td>
            <td>{countries}</td>
            <td>{offer.device.as_str()}</td>
            <td><StatusBadge status=if active { "active" } else { "inactive" } /></td>
            <td class="actions">
                <button type="button" class="btn btn-small" data-testid="edit"
                    on:click=move |_| editing.set(Some(Editing::Existing(Box::new(edit_target.clone()))))>"Edit"</button>
                {if active {
                    let id = id.clone();
                    view! {
                        <ConfirmButton label="Deactivate" question="Hide it from every wall?" small=true confirm_label="Yes, deactivate" danger=true
                            pending=toggle.pending() test_id="deactivate"
                            on_confirm=Callback::new(move |_| { toggle.dispatch((id.clone(), false)); }) />
                    }.into_any()
                } else {
                    let id = id.clone();
                    view! {
                        <button type="button" class="btn btn-small" data-testid="activate" disabled=move || toggle.pending().get()
                            on:click=move |_| { toggle.dispatch((id.clone(), true)); }>"Reactivate"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

/// The URL template's problem, in words, if any (the server's own parser).
fn url_problem(raw: &str) -> Option<String> {
    if raw.trim().is_empty() {
        return None;
    }
    OfferUrl::parse(raw).err().map(|e| e.to_string())
}

#[component]
fn OfferEditor(editing: Editing, on_saved: Callback<Offer>, on_cancel: Callback<()>) -> impl IntoView {
    let (id, initial) = match &editing {
        Editing::New => (String::new(), OfferForm { device: "all".into(), ..OfferForm::default() }),
        Editing::Existing(o) => (
            o.id.clone(),
            OfferForm {
                name: o.name.clone(),
                payout: cents_as_decimal(o.payout_cents),
                url_template: o.url_template.clone(),
                countries: o.countries.join(", "),
                device: o.device.as_str().to_owned(),
                description: o.description.clone(),
            },
        ),
    };
    let title = match &editing {
        Editing::New => "New offer".to_string(),
        Editing::Existing(o) => format!("Edit {}", o.name),
    };
    let name = RwSignal::new(initial.name);
    let payout = RwSignal::new(initial.payout);
    let url = RwSignal::new(initial.url_template);
    let countries = RwSignal::new(initial.countries);
    let device = RwSignal::new(initial.device);
    let description = RwSignal::new(initial.description);
    let save = Action::new(move |form: &OfferForm| {
        let (id, form) = (id.clone(), form.clone());
        async move { save_offer(id, form).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let name_input = NodeRef::<leptos::html::Input>::new();
    focus_on_open(name_input);
    // The live macro check wins over a stale server answer for the URL field.
    let url_error = Signal::derive(move || {
        url.with(|u| url_problem(u))
            .map(|message| FormError::field("url_template", message))
            .or_else(|| error.get().filter(|e| e.for_field("url_template").is_some()))
    });
    Effect::new(move |_| {
        if let Some(Ok(offer)) = save.value().get() {
            on_saved.run(offer);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(OfferForm {
            name: name.get_untracked(),
            payout: payout.get_untracked(),
            url_template: url.get_untracked(),
            countries: countries.get_untracked(),
            device: device.get_untracked(),
            description: description.get_untracked(),
        });
    };
    view! {
        <section class="card editor" data-testid="offer-editor" aria-labelledby="offer-editor-title">
            <h2 id="offer-editor-title">{title}</h2>
            <FormAlert error fields=OFFER_FIELDS />
            <form class="form" novalidate on:submit=submit>
                <div class="form-grid">
                    <div>
                        <label for="offer-name">"Name"</label>
                        <input node_ref=name_input id="offer-name" name="name" maxlength="120" autocomplete="off" required data-testid="offer-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "name") aria-describedby="name-error" />
                        <FieldError error field="name" />
                    </div>
                    <div>
                        <label for="offer-payout">"Payout (USD)"</label>
                        <input id="offer-payout" name="payout" inputmode="decimal" autocomplete="off" placeholder="1.25" required data-testid="offer-payout"
                            prop:value=move || payout.get() on:input=move |ev| payout.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "payout") aria-describedby="payout-help payout-error" />
                        <p class="hint" id="payout-help">"Per conversion, in dollars and cents."</p>
                        <FieldError error field="payout" />
                    </div>
                    <div>
                        <label for="offer-device">"Device"</label>
                        <select id="offer-device" name="device" data-testid="offer-device" prop:value=move || device.get()
                            on:change=move |ev| device.set(event_target_value(&ev))>
                            <option value="all">"All devices"</option>
                            <option value="desktop">"Desktop"</option>
                            <option value="mobile">"Mobile"</option>
                        </select>
                        <FieldError error field="device" />
                    </div>
                </div>
                <label for="offer-url">"Tracking URL"</label>
                <input id="offer-url" name="url_template" type="url" inputmode="url" maxlength="2048" autocomplete="off" spellcheck="false" required
                    placeholder="https://advertiser.example/click?id={click_id}&sub={s1}" data-testid="offer-url"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))
                    aria-invalid=invalid(url_error, "url_template") aria-describedby="url_template-help url_template-error" />
                <p class="hint" id="url_template-help">"Macros: " <code>"{click_id}"</code> " " <code>"{s1}"</code> " " <code>"{s2}"</code> " " <code>"{uid}"</code> " — filled in, URL-encoded, on each click."</p>
                <FieldError error=url_error field="url_template" />
                <label for="offer-countries">"Countries"</label>
                <input id="offer-countries" name="countries" autocomplete="off" spellcheck="false" placeholder="US, DE, FR — empty for everywhere"
                    data-testid="offer-countries" prop:value=move || countries.get() on:input=move |ev| countries.set(event_target_value(&ev))
                    aria-invalid=invalid(error, "countries") aria-describedby="countries-error" />
                <FieldError error field="countries" />
                <label for="offer-description">"Description"</label>
                <textarea id="offer-description" name="description" rows="2" maxlength="500" data-testid="offer-description"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))
                    aria-invalid=invalid(error, "description") aria-describedby="description-error"></textarea>
                <FieldError error field="description" />
                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="save-offer" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else { "Save offer" }}
                    </button>
                    <button type="button" class="btn" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}
