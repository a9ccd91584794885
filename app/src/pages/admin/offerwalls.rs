//! `/admin/offerwalls`: every publisher's walls — search, filter by publisher, page, create a
//! wall (then straight to its share URL and embed generator), deactivate or reactivate. The
//! wall form is shared with the wall's own page, where it edits.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;

use super::AdminPage;
use crate::api::conversions::{feed_choices, Choice};
use crate::api::error_message;
use crate::api::offers::{list_offerwalls, save_offerwall, set_offerwall_active, WallForm, WALL_FIELDS};
use crate::components::field_error::{focus_on_open, invalid};
use crate::components::{ConfirmButton, FieldError, FormAlert, ListPage, LiveBadge, SearchBar, SearchBox, StatusBadge, TextField};
use crate::domain::offerwall::Offerwall;
use crate::domain::wall_language::WallLanguage;

#[component]
pub fn AdminOfferwallsPage() -> impl IntoView {
    view! {
        <AdminPage title="Offerwalls" current="/admin/offerwalls">
            <Offerwalls />
        </AdminPage>
    }
}

/// `1000 Coins per $1, rounded down`.
pub fn currency_summary(wall: &Offerwall) -> String {
    format!("{} {} per $1, rounded {}", wall.exchange_rate, wall.currency_name, wall.rounding.as_str())
}

#[component]
fn Offerwalls() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let publisher = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let listing = Resource::new(move || (q.get(), publisher.get(), offset.get()), |(q, p, o)| list_offerwalls(q, p, o));
    let choices = Resource::new(|| (), |_| feed_choices());
    let creating = RwSignal::new(false);
    let notice = RwSignal::new(None::<String>);
    let toggle = Action::new(|(id, active): &(String, bool)| set_offerwall_active(id.clone(), *active));
    Effect::new(move |_| match toggle.value().get() {
        Some(Ok(wall)) => {
            notice.set(Some(format!("{} is {}.", wall.name, if wall.active { "active again" } else { "deactivated" })));
            listing.refetch();
        }
        Some(Err(err)) => notice.set(Some(error_message(&err))),
        None => {}
    });
    let navigate = use_navigate();
    let on_saved = Callback::new(move |wall: Offerwall| navigate(&format!("/admin/offerwalls/{}", wall.id), Default::default()));
    view! {
        <div class="page-head">
            <h1>"Offerwalls"</h1>
            <div class="page-actions">
                <button type="button" class="btn btn-primary btn-inline" data-testid="new-offerwall"
                    on:click=move |_| creating.set(true)>"New offerwall"</button>
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"A wall is a publisher's page of offers, embedded on their site. Its currency turns each offer's payout into the reward their users see."</p>
        {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status" data-testid="notice">{text}</p> })}
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let publishers = choices.await.map(|c| c.publishers).unwrap_or_default();
                let options = publishers.clone();
                let names = publishers.clone();
                view! {
                    <Show when=move || creating.get()>
                        <WallEditor id=String::new() initial=WallForm { currency_name: "Coins".into(), exchange_rate: "100".into(), rounding: "down".into(), language: "en".into(), ..WallForm::default() }
                            publishers=publishers.clone() on_saved on_cancel=Callback::new(move |_| creating.set(false)) />
                    </Show>
                    <SearchBar label="Find offerwalls">
                        <SearchBox value=q offset label="Search" placeholder="Name or id" test_id="search" />
                        <label class="field">
                            <span>"Publisher"</span>
                            <select data-testid="filter-publisher" prop:value=move || publisher.get()
                                on:change=move |ev| { publisher.set(event_target_value(&ev)); offset.set(0); }>
                                <option value="">"All publishers"</option>
                                {options.into_iter().map(|p| view! { <option value=p.id>{p.name}</option> }).collect_view()}
                            </select>
                        </label>
                    </SearchBar>
                    <ListPage listing offset filtered=Signal::derive(move || !q.get().trim().is_empty() || !publisher.get().is_empty())
                        headers=vec!["Offerwall", "Publisher", "Currency", "Status", ""] test_id="offerwalls-table" label="Offerwalls"
                        nothing_yet="No offerwalls yet" next_step="Create one for a publisher with “New offerwall”, then hand them its share URL or embed code."
                        row=move |wall: Offerwall| {
                            let publisher_name = names.iter().find(|p| p.id == wall.publisher_id).map(|p| p.name.clone()).unwrap_or_else(|| wall.publisher_id.clone());
                            view! { <WallRow wall publisher_name toggle /> }
                        } />
                }
            })}
        </Suspense>
    }
}

#[component]
fn WallRow(wall: Offerwall, publisher_name: String, toggle: Action<(String, bool), Result<Offerwall, ServerFnError>>) -> impl IntoView {
    let id = wall.id.clone();
    let active = wall.active;
    view! {
        <tr data-testid="offerwall-row" data-name=wall.name.clone()>
            <td>
                <a href=format!("/admin/offerwalls/{}", wall.id)><strong>{wall.name.clone()}</strong></a>
                <div><code class="id">{wall.id.clone()}</code></div>
            </td>
            <td>{publisher_name}</td>
            <td>{currency_summary(&wall)}</td>
            <td><StatusBadge status=if active { "active" } else { "inactive" } /></td>
            <td class="actions">
                <a class="btn btn-small" href=format!("/admin/offerwalls/{}", wall.id) data-testid="open">"Share & embed"</a>
                {if active {
                    view! {
                        <ConfirmButton label="Deactivate" question="Take the wall offline?" small=true confirm_label="Yes, deactivate" danger=true
                            pending=toggle.pending() test_id="deactivate"
                            on_confirm=Callback::new(move |_| { toggle.dispatch((id.clone(), false)); }) />
                    }.into_any()
                } else {
                    view! {
                        <button type="button" class="btn btn-small" data-testid="activate" disabled=move || toggle.pending().get()
                            on:click=move |_| { toggle.dispatch((id.clone(), true)); }>"Reactivate"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

/// Creates a wall (`id` empty) or edits one; `on_saved` gets the saved wall.
#[component]
pub fn WallEditor(
    id: String,
    initial: WallForm,
    publishers: Vec<Choice>,
    on_saved: Callback<Offerwall>,
    on_cancel: Callback<()>,
) -> impl IntoView {
    let is_new = id.is_empty();
    let publisher_id = RwSignal::new(initial.publisher_id);
    let name = RwSignal::new(initial.name);
    let currency = RwSignal::new(initial.currency_name);
    let rate = RwSignal::new(initial.exchange_rate);
    let rounding = RwSignal::new(initial.rounding);
    let language = RwSignal::new(if initial.language.is_empty() { "en".to_string() } else { initial.language });
    let title = RwSignal::new(initial.title);
    let accent = RwSignal::new(initial.accent_color);
    let logo = RwSignal::new(initial.logo_url);
    let save = Action::new(move |form: &WallForm| {
        let (id, form) = (id.clone(), form.clone());
        async move { save_offerwall(id, form).await }
    });
    let error = Signal::derive(move || save.value().get().and_then(Result::err));
    let name_input = NodeRef::<leptos::html::Input>::new();
    focus_on_open(name_input);
    Effect::new(move |_| {
        if let Some(Ok(wall)) = save.value().get() {
            on_saved.run(wall);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        save.dispatch(WallForm {
            publisher_id: publisher_id.get_untracked(),
            name: name.get_untracked(),
            currency_name: currency.get_untracked(),
            exchange_rate: rate.get_untracked(),
            rounding: rounding.get_untracked(),
            language: language.get_untracked(),
            title: title.get_untracked(),
            accent_color: accent.get_untracked(),
            logo_url: logo.get_untracked(),
        });
    };
    view! {
        <section class="card editor" data-testid="offerwall-editor" aria-labelledby="wall-editor-title">
            <h2 id="wall-editor-title">{if is_new { "New offerwall" } else { "Edit offerwall" }}</h2>
            <FormAlert error fields=WALL_FIELDS />
            <form class="form" novalidate on:submit=submit>
                <div class="form-grid">
                    <div>
                        <label for="wall-publisher">"Publisher"</label>
                        <select id="wall-publisher" name="publisher_id" data-testid="wall-publisher" prop:value=move || publisher_id.get()
                            on:change=move |ev| publisher_id.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "publisher_id") aria-describedby="publisher_id-error">
                            <option value="">"Choose a publisher…"</option>
                            {publishers.into_iter().map(|p| {
                                let selected = publisher_id.with_untracked(|c| *c == p.id);
                                view! { <option value=p.id selected=selected>{p.name}</option> }
                            }).collect_view()}
                        </select>
                        <FieldError error field="publisher_id" />
                    </div>
                    <div>
                        <label for="wall-name">"Name"</label>
                        <input node_ref=name_input id="wall-name" name="name" maxlength="120" autocomplete="off" data-testid="wall-name"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "name") aria-describedby="name-error" />
                        <FieldError error field="name" />
                    </div>
                    <div>
                        <label for="wall-currency">"Currency name"</label>
                        <input id="wall-currency" name="currency_name" maxlength="40" autocomplete="off" data-testid="wall-currency"
                            prop:value=move || currency.get() on:input=move |ev| currency.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "currency_name") aria-describedby="currency_name-error" />
                        <FieldError error field="currency_name" />
                    </div>
                    <div>
                        <label for="wall-rate">"Exchange rate"</label>
                        <input id="wall-rate" name="exchange_rate" inputmode="decimal" autocomplete="off" data-testid="wall-rate"
                            prop:value=move || rate.get() on:input=move |ev| rate.set(event_target_value(&ev))
                            aria-invalid=invalid(error, "exchange_rate") aria-describedby="exchange_rate-help exchange_rate-error" />
                        <p class="hint" id="exchange_rate-help">{move || format!("{} per $1 of payout", currency.get())}</p>
                        <FieldError error field="exchange_rate" />
                    </div>
                    <div>
                        <label for="wall-rounding">"Rounding"</label>
                        <select id="wall-rounding" name="rounding" data-testid="wall-rounding" prop:value=move || rounding.get()
                            on:change=move |ev| rounding.set(event_target_value(&ev))>
                            <option value="down">"Down"</option>
                            <option value="nearest">"Nearest"</option>
                            <option value="up">"Up"</option>
                        </select>
                        <FieldError error field="rounding" />
                    </div>
                    <div>
                        <label for="wall-language">"Language"</label>
                        <select id="wall-language" name="language" data-testid="wall-language" prop:value=move || language.get()
                            on:change=move |ev| language.set(event_target_value(&ev)) aria-describedby="language-help language-error">
                            {WallLanguage::ALL.into_iter().map(|l| {
                                let selected = language.with_untracked(|c| c == l.code());
                                view! { <option value=l.code() selected=selected>{l.native_name()}</option> }
                            }).collect_view()}
                        </select>
                        <p class="hint" id="language-help">"When the visitor's browser asks for none of the wall's languages."</p>
                        <FieldError error field="language" />
                    </div>
                </div>
                <h3>"Branding"</h3>
                <div class="form-grid">
                    <TextField id="wall-title-input" field="title" label="Title (optional)" value=title error test_id="wall-branding-title" maxlength=120u32
                        placeholder="The wall's name" />
                    <TextField id="wall-accent" field="accent_color" label="Accent colour (optional)" value=accent error test_id="wall-accent" maxlength=7u32
                        placeholder="#3b5bdb" />
                    <TextField id="wall-logo" field="logo_url" label="Logo URL (optional)" value=logo error test_id="wall-logo" input_type="url"
                        placeholder="https://…" />
                </div>
                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="save-offerwall" disabled=move || save.pending().get()>
                        {move || if save.pending().get() { "Saving…" } else if is_new { "Create offerwall" } else { "Save changes" }}
                    </button>
                    <button type="button" class="btn" on:click=move |_| on_cancel.run(())>"Cancel"</button>
                </div>
            </form>
        </section>
    }
}
