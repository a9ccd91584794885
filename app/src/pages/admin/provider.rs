//! `/admin/providers/:id`: one provider — its postback URL to copy, its secret (rotate with an
//! overlap), deactivate or sandbox it, approved IPs and the refused queue, and the signature
//! debugger: paste a callback URL and see which part of its signature differs.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::entity_detail::{active_word, Act};
use super::health::HealthLink;
use super::AdminPage;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::api::providers::{
    add_provider_ip, approve_provider_ip, check_provider_url, load_provider, remove_provider_ip, rotate_provider_secret,
    set_provider_flags, ProviderDetails,
};
use crate::components::field_error::{action_error, invalid as is_invalid, track_form_errors, FormAlert};
use crate::components::{ConfirmButton, CopyButton, FieldError, LiveBadge, OverlapSelect, StatusBadge};
use crate::domain::health::SourceKind;
use crate::domain::provider::{Provider, ProviderCheck};
use crate::domain::when::date_time;

#[component]
pub fn AdminProviderPage() -> impl IntoView {
    view! {
        <AdminPage title="Provider" current="/admin/providers">
            <ProviderView />
        </AdminPage>
    }
}

/// Every action of the screen, owned above the re-rendered details so an answer is never lost.
#[derive(Clone, Copy)]
struct Actions {
    flags: Act<(String, Option<bool>, Option<bool>), Provider>,
    rotate: Act<(String, String, i64), Provider, FormError>,
    add_ip: Act<(String, String), String, FormError>,
    remove_ip: Act<(String, String), ()>,
    approve: Act<(String, String), ()>,
}

#[component]
fn ProviderView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, load_provider);
    let actions = Actions {
        flags: Action::new(|(id, active, sandbox): &(String, Option<bool>, Option<bool>)| {
            set_provider_flags(id.clone(), *active, *sandbox)
        }),
        rotate: Action::new(|(id, secret, overlap): &(String, String, i64)| rotate_provider_secret(id.clone(), secret.clone(), *overlap)),
        add_ip: Action::new(|(id, ip): &(String, String)| add_provider_ip(id.clone(), ip.clone())),
        remove_ip: Action::new(|(id, ip): &(String, String)| remove_provider_ip(id.clone(), ip.clone())),
        approve: Action::new(|(id, ip): &(String, String)| approve_provider_ip(id.clone(), ip.clone())),
    };
    let refetch_when = move |done: Signal<bool>| {
        Effect::new(move |_| {
            if done.get() {
                details.refetch();
            }
        });
    };
    refetch_when(Signal::derive(move || matches!(actions.flags.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.rotate.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.add_ip.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.remove_ip.value().get(), Some(Ok(_)))));
    refetch_when(Signal::derive(move || matches!(actions.approve.value().get(), Some(Ok(_)))));
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/providers">"← Providers"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the provider…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d actions /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Provider"</h1><LiveBadge /></div>
                        <p class="alert alert-error" role="alert" data-testid="provider-error">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
        <Debugger id=Signal::derive(id) />
    }
}

#[component]
fn Details(details: ProviderDetails, actions: Actions) -> impl IntoView {
    let ProviderDetails { provider, refused } = details;
    let id = provider.id.clone();
    let (active, sandbox) = (provider.active, provider.sandbox);
    let toggle = {
        let id = id.clone();
        Callback::new(move |_| {
            actions.flags.dispatch((id.clone(), Some(!active), None));
        })
    };
    let toggle_sandbox = {
        let id = id.clone();
        Callback::new(move |_| {
            actions.flags.dispatch((id.clone(), None, Some(!sandbox)));
        })
    };
    let question = if active {
        format!("Deactivate {}? Its calls are answered 404 until you reactivate it.", provider.name)
    } else {
        format!("Reactivate {}? Its calls are accepted again.", provider.name)
    };
    let sandbox_question = if sandbox {
        format!("Take {} out of the sandbox? Its calls credit reward users from now on.", provider.name)
    } else {
        format!("Put {} in the sandbox? Its calls are checked and answered but never credited.", provider.name)
    };
    view! {
        <div class="page-head">
            <h1 data-testid="provider-name-heading">{provider.name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=active_word(active) />
                {sandbox.then(|| view! { <StatusBadge status="sandbox" /> })}
                <ConfirmButton label=if active { "Deactivate" } else { "Reactivate" } question confirm_label="Yes" danger=active
                    pending=actions.flags.pending() test_id="toggle-active" on_confirm=toggle />
                <ConfirmButton label=if sandbox { "Leave sandbox" } else { "Sandbox" } question=sandbox_question confirm_label="Yes"
                    pending=actions.flags.pending() test_id="toggle-sandbox" on_confirm=toggle_sandbox />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">"Id " <code class="id">{id.clone()}</code> " · preset " {provider.preset.as_str()} " · rounding " {provider.rounding.as_str()}
            " · created " {date_time(provider.created_at)} " UTC · " <HealthLink kind=SourceKind::Provider id=id.clone() /></p>
        {action_error(actions.flags.value())}

        <section class="card" data-testid="postback-url-card">
            <h2>"Postback URL"</h2>
            <p class="muted">"Paste it into the provider's dashboard. The provider fills in the " <code>"{macros}"</code> "."</p>
            <p><code data-testid="postback-url">{provider.postback_url.clone()}</code></p>
            <CopyButton value=provider.postback_url.clone() test_id="copy-postback-url" />
            <p class="muted small">"Signature: " <code data-testid="recipe">{provider.recipe.clone()}</code></p>
        </section>

        <RotateSecret provider=provider.clone() action=actions.rotate />
        <Ips id=id.clone() ips=provider.ips.clone() actions />
        <section class="card" data-testid="refused-ips">
            <h2>"Refused IPs"</h2>
            {if refused.is_empty() {
                view! { <p class="muted small" data-testid="refused-empty">"No refused IPs. A call from an address that is not approved lands here."</p> }.into_any()
            } else {
                view! {
                    <ul class="ip-list">
                        {refused.into_iter().map(|r| {
                            let (id, ip) = (id.clone(), r.ip.clone());
                            view! {
                                <li class="ip-row" data-testid="refused-ip"><code>{r.ip.clone()}</code>" · " {r.count} " calls · last " {date_time(r.last_seen)}
                                    <button type="button" class="btn btn-primary btn-small" on:click=move |_| { actions.approve.dispatch((id.clone(), ip.clone())); }>"Approve"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {action_error(actions.approve.value())}
        </section>
    }
}

#[component]
fn RotateSecret(provider: Provider, action: Act<(String, String, i64), Provider, FormError>) -> impl IntoView {
    let secret = RwSignal::new(String::new());
    let overlap = RwSignal::new(Some(86_400));
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(action, error);
    let id = provider.id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if let Some(seconds) = overlap.get_untracked() {
            action.dispatch((id.clone(), secret.get_untracked(), seconds));
        }
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card" data-testid="secret">
            <h2>"Secret"</h2>
            <p>"Current: " <code data-testid="secret-hint">{provider.secret_hint.clone()}</code></p>
            {provider.previous_secret_hint.clone().map(|hint| view! {
                <p>"Previous: " <code>{hint}</code> " works until " {provider.previous_secret_valid_until.map(date_time).unwrap_or_default()} " UTC"</p>
            })}
            <form class="form" on:submit=on_submit novalidate data-testid="rotate-secret">
                <label for="new-secret">"New secret (after changing it at the provider)"</label>
                <input id="new-secret" autocomplete="off" spellcheck="false" data-testid="new-secret"
                    prop:value=move || secret.get() on:input=move |ev| secret.set(event_target_value(&ev))
                    aria-invalid=is_invalid(error_signal, "secret") aria-describedby="new-secret-error" />
                <FieldError error=error_signal field="secret" id="new-secret-error" />
                <OverlapSelect value=overlap id="provider-secret" />
                <button type="submit" class="btn btn-primary" data-testid="rotate-secret-submit" disabled=move || action.pending().get()>"Rotate secret"</button>
                <FormAlert error=error_signal fields=&["secret"] />
            </form>
        </section>
    }
}

#[component]
fn Ips(id: String, ips: Vec<String>, actions: Actions) -> impl IntoView {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(actions.add_ip, error);
    let add_id = id.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        actions.add_ip.dispatch((add_id.clone(), value.get_untracked().trim().to_owned()));
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card" data-testid="approved-ips">
            <h2>"Approved IPs"</h2>
            <p class="muted">"Calls are accepted only from these addresses (single IPs or CIDR blocks)."</p>
            <ul class="ip-list">
                {ips.into_iter().map(|ip| {
                    let remove = {
                        let (id, ip) = (id.clone(), ip.clone());
                        Callback::new(move |_| { actions.remove_ip.dispatch((id.clone(), ip.clone())); })
                    };
                    view! {
                        <li class="ip-row" data-testid="approved-ip"><code>{ip.clone()}</code>
                            <ConfirmButton label="Remove" question=format!("Remove {ip}? Its calls are refused (403) from now on.") confirm_label="Yes, remove"
                                danger=true small=true pending=actions.remove_ip.pending() test_id="remove-ip" on_confirm=remove />
                        </li>
                    }
                }).collect_view()}
            </ul>
            {action_error(actions.remove_ip.value())}
            <form class="form" on:submit=on_submit novalidate data-testid="add-ip">
                <label for="add-ip">"IP or CIDR"</label>
                <div class="inline-row">
                    <input id="add-ip" autocomplete="off" spellcheck="false" placeholder="203.0.113.7 or 198.51.100.0/24" data-testid="ip-input"
                        prop:value=move || value.get() on:input=move |ev| value.set(event_target_value(&ev))
                        aria-invalid=is_invalid(error_signal, "ip") aria-describedby="add-ip-error" />
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="add-ip-submit" disabled=move || actions.add_ip.pending().get()>"Approve IP"</button>
                </div>
                <FieldError error=error_signal field="ip" id="add-ip-error" />
                <FormAlert error=error_signal fields=&["ip"] />
            </form>
        </section>
    }
}

/// Paste a callback URL, see the recipe, what was signed (secret masked), expected and received.
#[component]
fn Debugger(id: Signal<String>) -> impl IntoView {
    let url = RwSignal::new(String::new());
    let check = Action::new(|(id, url): &(String, String)| check_provider_url(id.clone(), url.clone()));
    let error = RwSignal::new(None::<FormError>);
    track_form_errors(check, error);
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        check.dispatch((id.get_untracked(), url.get_untracked()));
    };
    let error_signal = Signal::from(error);
    view! {
        <section class="card" data-testid="debugger">
            <h2>"Signature debugger"</h2>
            <p class="muted">"Paste a callback URL exactly as the provider called it. Nothing is recorded or credited."</p>
            <form class="form" on:submit=on_submit novalidate data-testid="check-url">
                <label for="check-url">"Callback URL"</label>
                <textarea id="check-url" rows="3" spellcheck="false" data-testid="check-url-input"
                    prop:value=move || url.get() on:input=move |ev| url.set(event_target_value(&ev))
                    aria-invalid=is_invalid(error_signal, "url") aria-describedby="check-url-error"></textarea>
                <FieldError error=error_signal field="url" id="check-url-error" />
                <button type="submit" class="btn btn-primary" data-testid="check-url-submit" disabled=move || check.pending().get()>"Check signature"</button>
                <FormAlert error=error_signal fields=&["url"] />
            </form>
            {move || match check.value().get() {
                Some(Ok(result)) => Some(view! { <Analysis result /> }),
                _ => None,
            }}
        </section>
    }
}

#[component]
fn Analysis(result: ProviderCheck) -> impl IntoView {
    let a = result.analysis;
    let verdict = if a.matches { "ok" } else { "failed" };
    let differs = serde_json::to_value(a.differs).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
    view! {
        <div class="analysis" data-testid="analysis" data-matches=a.matches.to_string() data-differs=differs.clone()>
            <p><StatusBadge status=verdict /> " " <strong data-testid="explanation">{a.explanation.clone()}</strong></p>
            <dl class="facts">
                <dt>"Recipe"</dt><dd><code>{a.recipe.clone()}</code></dd>
                <dt>"Signed text (secret masked)"</dt><dd><code data-testid="canonical">{a.canonical.clone()}</code></dd>
                <dt>"Expected"</dt><dd><code data-testid="expected">{a.expected.clone().unwrap_or_default()}</code></dd>
                <dt>"Received"</dt><dd><code data-testid="received">{a.received.clone().unwrap_or_else(|| "(none)".into())}</code></dd>
                <dt>"Differs"</dt><dd data-testid="differs">{differs.replace('_', " ")}</dd>
            </dl>
            <table>
                <thead><tr><th>"Signed part"</th><th>"Value"</th></tr></thead>
                <tbody>{a.parts.into_iter().map(|p| view! { <tr><td>{p.name}</td><td><code>{p.value}</code></td></tr> }).collect_view()}</tbody>
            </table>
            {result.field_error.map(|e| view! { <p class="alert alert-info" role="status" data-testid="field-problem">"The door would also refuse it: " {e}</p> })}
        </div>
    }
}
