//! `/admin/providers`: the offerwall providers that send TapRain their postbacks — search, page
//! through, and add one (a preset, or a custom provider's parameter names and recipe); the new
//! provider's postback URL is shown ready to copy.

use leptos::prelude::*;

use super::entity_detail::active_word;
use super::AdminPage;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::api::providers::{create_provider, list_providers, NewProvider};
use crate::components::field_error::{invalid as is_invalid, FormAlert};
use crate::components::{CopyButton, FieldError, LiveBadge, Pager, SearchBox, StatusBadge};
use crate::domain::page::PAGE_SIZE;
use crate::domain::provider::{CustomConfig, Part, Provider, RecipeKind};
use crate::domain::when::date_time;

#[component]
pub fn AdminProvidersPage() -> impl IntoView {
    view! {
        <AdminPage title="Providers" current="/admin/providers">
            <Providers />
        </AdminPage>
    }
}

#[component]
fn Providers() -> impl IntoView {
    let search = RwSignal::new(String::new());
    let offset = RwSignal::new(0_i64);
    let listing = Resource::new(move || (search.get(), offset.get()), |(s, o)| list_providers(s, o));
    let create = Action::new(|input: &NewProvider| create_provider(input.clone()));
    Effect::new(move |_| {
        if let Some(Ok(_)) = create.value().get() {
            listing.refetch();
        }
    });
    view! {
        <div class="page-head"><h1>"Providers"</h1><LiveBadge /></div>
        <p class="muted">"Other offerwalls that credit your reward users by calling " <code>"/api/postback/in/{id}"</code>
            ". Each has a callback format (a preset or your own parameter names), a secret to verify signatures, approved IPs and a rounding rule."</p>
        <CreateProvider create />
        <SearchBox value=search offset label="Search providers" placeholder="Name or id" />
        <Transition fallback=|| view! { <p class="loading">"Loading providers…"</p> }>
            {move || Suspend::new(async move {
                match listing.await {
                    Ok(page) if page.items.is_empty() => view! {
                        <div class="empty" data-testid="providers-empty">
                            <h2>"No providers"</h2>
                            <p>"Add one above, then paste its postback URL into the provider's dashboard."</p>
                        </div>
                    }.into_any(),
                    Ok(page) => {
                        let (shown, total) = (page.items.len(), page.total);
                        view! {
                            <div class="table-wrap">
                                <table data-testid="providers-table">
                                    <thead><tr><th>"Name"</th><th>"Id"</th><th>"Preset"</th><th>"State"</th><th class="num">"Approved IPs"</th><th>"Created (UTC)"</th></tr></thead>
                                    <tbody>
                                        {page.items.into_iter().map(|p| view! {
                                            <tr data-testid="provider-row" data-name=p.name.clone()>
                                                <td><a href=format!("/admin/providers/{}", p.id)>{p.name.clone()}</a></td>
                                                <td><code class="id">{p.id.clone()}</code></td>
                                                <td>{p.preset.as_str()}</td>
                                                <td>
                                                    <StatusBadge status=active_word(p.active) />
                                                    {p.sandbox.then(|| view! { " " <StatusBadge status="sandbox" /> })}
                                                </td>
                                                <td class="num">{p.ips.len()}</td>
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

/// The custom provider's fields as typed.
#[derive(Clone, Copy)]
struct CustomFields {
    user: RwSignal<String>,
    transaction: RwSignal<String>,
    reward: RwSignal<String>,
    payout: RwSignal<String>,
    status: RwSignal<String>,
    signature: RwSignal<String>,
    recipe: RwSignal<String>,
    order: RwSignal<String>,
}

impl CustomFields {
    fn new() -> Self {
        let s = |v: &str| RwSignal::new(v.to_owned());
        Self {
            user: s("user_id"),
            transaction: s("tx_id"),
            reward: s("reward"),
            payout: s("payout"),
            status: s("status"),
            signature: s("sig"),
            recipe: s("md5"),
            order: s("user + transaction + reward + secret"),
        }
    }

    fn config(&self) -> Result<CustomConfig, FormError> {
        let optional = |v: RwSignal<String>| Some(v.get_untracked().trim().to_owned()).filter(|v| !v.is_empty());
        let recipe = match self.recipe.get_untracked().as_str() {
            "md5" => RecipeKind::Md5,
            "hmac-sha256" => RecipeKind::HmacSha256,
            _ => RecipeKind::None,
        };
        let md5_order = if recipe == RecipeKind::Md5 {
            Part::parse_order(&self.order.get_untracked()).map_err(|message| FormError::field("custom", message))?
        } else {
            Vec::new()
        };
        Ok(CustomConfig {
            user: self.user.get_untracked().trim().to_owned(),
            transaction: self.transaction.get_untracked().trim().to_owned(),
            reward: self.reward.get_untracked().trim().to_owned(),
            payout: optional(self.payout),
            status: optional(self.status),
            status_credit: None,
            status_reversal: None,
            signature: optional(self.signature),
            recipe,
            md5_order,
        })
    }
}

fn text_input(id: &'static str, label: &'static str, value: RwSignal<String>) -> impl IntoView {
    view! {
        <label for=id>{label}</label>
        <input id=id autocomplete="off" spellcheck="false" data-testid=id prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev)) />
    }
}

#[component]
fn CreateProvider(create: Action<NewProvider, Result<Provider, FormError>>) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let preset = RwSignal::new("medioot".to_owned());
    let secret = RwSignal::new(String::new());
    let rounding = RwSignal::new("down".to_owned());
    let sandbox = RwSignal::new(false);
    let custom = CustomFields::new();
    let error = RwSignal::new(None::<FormError>);
    Effect::new(move |_| match create.value().get() {
        Some(Err(e)) => error.set(Some(e)),
        Some(Ok(_)) => {
            error.set(None);
            name.set(String::new());
            secret.set(String::new());
        }
        _ => {}
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let is_custom = preset.get_untracked() == "custom";
        let config = match is_custom.then(|| custom.config()).transpose() {
            Ok(config) => config,
            Err(e) => return error.set(Some(e)),
        };
        create.dispatch(NewProvider {
            name: name.get_untracked(),
            preset: preset.get_untracked(),
            secret: secret.get_untracked(),
            rounding: rounding.get_untracked(),
            sandbox: sandbox.get_untracked(),
            custom: config,
        });
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card">
            <h2>"Add a provider"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="create-provider">
                <label for="provider-name">"Name"</label>
                <input id="provider-name" maxlength="100" autocomplete="off" data-testid="provider-name"
                    prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                    aria-invalid=is_invalid(error_signal, "name") aria-describedby="provider-name-error" />
                <FieldError error=error_signal field="name" id="provider-name-error" />
                <label for="provider-preset">"Preset"</label>
                <select id="provider-preset" data-testid="provider-preset" prop:value=move || preset.get() on:change=move |ev| preset.set(event_target_value(&ev))>
                    <option value="medioot">"Medioot-style (md5 signature)"</option>
                    <option value="taprain">"Another TapRain (HMAC hash)"</option>
                    <option value="custom">"Custom parameter names"</option>
                </select>
                {move || (preset.get() == "custom").then(|| view! {
                    <fieldset class="form" data-testid="custom-fields">
                        <legend>"Parameter names in the provider's callback"</legend>
                        {text_input("custom-user", "User", custom.user)}
                        {text_input("custom-transaction", "Transaction", custom.transaction)}
                        {text_input("custom-reward", "Reward", custom.reward)}
                        {text_input("custom-payout", "Payout (optional)", custom.payout)}
                        {text_input("custom-status", "Status, 1 credits and 2 reverses (optional)", custom.status)}
                        <label for="custom-recipe">"Signature recipe"</label>
                        <select id="custom-recipe" prop:value=move || custom.recipe.get() on:change=move |ev| custom.recipe.set(event_target_value(&ev))>
                            <option value="md5">"md5 of fields and the secret"</option>
                            <option value="hmac-sha256">"HMAC-SHA256 of the URL"</option>
                            <option value="none">"None (approved IPs only)"</option>
                        </select>
                        {text_input("custom-signature", "Signature parameter", custom.signature)}
                        {text_input("custom-order", "md5 order (user, transaction, reward, payout, status, secret)", custom.order)}
                    </fieldset>
                    <FieldError error=error_signal field="custom" id="provider-custom-error" />
                })}
                <label for="provider-secret">"Secret (from the provider's dashboard)"</label>
                <input id="provider-secret" autocomplete="off" spellcheck="false" data-testid="provider-secret"
                    prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))
                    aria-invalid=is_invalid(error_signal, "secret") aria-describedby="provider-secret-error" />
                <FieldError error=error_signal field="secret" id="provider-secret-error" />
                <label for="provider-rounding">"Rounding to whole coins"</label>
                <select id="provider-rounding" prop:value=move || rounding.get() on:change=move |ev| rounding.set(event_target_value(&ev))>
                    <option value="down">"Down"</option>
                    <option value="nearest">"Nearest"</option>
                    <option value="up">"Up"</option>
                </select>
                <label class="check"><input type="checkbox" data-testid="provider-sandbox" prop:checked=move || sandbox.get()
                    on:change=move |ev| sandbox.set(event_target_checked(&ev)) />" Sandbox: check and answer calls, never credit"</label>
                <button type="submit" class="btn btn-primary" data-testid="create-provider-submit" disabled=move || create.pending().get()>
                    {move || if create.pending().get() { "Adding…" } else { "Add provider" }}
                </button>
                <FormAlert error=Signal::from(error) fields=&["name", "secret", "custom"] />
            </form>
            {move || match create.value().get() {
                Some(Ok(p)) => Some(view! {
                    <div class="card" data-testid="provider-created">
                        <h3>{format!("{} is ready", p.name)}</h3>
                        <p>"Paste this postback URL into the provider's dashboard:"</p>
                        <p><code data-testid="created-postback-url">{p.postback_url.clone()}</code></p>
                        <CopyButton value=p.postback_url.clone() test_id="copy-created-url" />
                        <p><a class="btn" href=format!("/admin/providers/{}", p.id) data-testid="open-provider">"Open the provider →"</a></p>
                    </div>
                }),
                _ => None,
            }}
        </section>
    }
}
