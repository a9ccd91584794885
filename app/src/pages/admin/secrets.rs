//! `/admin/secrets`: every credential TapRain hands out or holds, in one place — network security
//! keys, program API keys, reward API secrets, publisher postback secrets and offerwall
//! providers' secrets (hints only; they rotate on the provider's screen). Generate (shown once),
//! rotate with a chosen overlap, revoke; each list says which keys work and until when.

use leptos::prelude::*;

use super::admin_tokens::AdminTokens;
use super::entity_detail::{active_word, Act};
use super::provider_secrets::ProviderSecrets;
use super::AdminPage;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::api::networks::{revoke_network_key, rotate_network_key};
use crate::api::programs::{revoke_program_key, rotate_program_key};
use crate::api::secrets::{
    create_reward_secret, load_secrets, revoke_reward_secret, rotate_postback_secret, rotate_reward_secret, OwnedKeys, SecretsOverview,
};
use crate::components::{ConfirmButton, KeyList, LiveBadge, OverlapSelect, Pager, RotateControl, SecretOnce, StatusBadge};
use crate::domain::page::{name_matches, PAGE_SIZE};
use crate::domain::partners::NetworkKeyInfo;
use crate::domain::secrets::{KeyState, PostbackSecretInfo};
use crate::domain::when::date_time;

#[component]
pub fn AdminSecretsPage() -> impl IntoView {
    view! {
        <AdminPage title="Secrets" current="/admin/secrets">
            <Secrets />
        </AdminPage>
    }
}

/// A secret just made, and the owner (network, program, publisher id or `reward`) it belongs to,
/// so its panel shows in that owner's section.
#[derive(Clone, Debug, PartialEq)]
struct Revealed {
    owner: String,
    title: String,
    secret: String,
}

#[derive(Clone, Copy)]
struct Actions {
    network_rotate: Act<(String, i64), String, FormError>,
    network_revoke: Act<(String, String), ()>,
    program_rotate: Act<(String, i64), String, FormError>,
    program_revoke: Act<(String, String), ()>,
    reward_create: Act<(), String>,
    reward_rotate: Act<(String, i64), String, FormError>,
    reward_revoke: Act<String, ()>,
    postback_rotate: Act<String, String>,
    revealed: RwSignal<Option<Revealed>>,
    /// Who the running action is for.
    target: RwSignal<(String, String)>,
}

impl Actions {
    fn aim(&self, owner: &str, title: &str) {
        self.revealed.set(None);
        self.target.set((owner.to_owned(), title.to_owned()));
    }
}

#[component]
fn Secrets() -> impl IntoView {
    let overview = Resource::new(|| (), |_| load_secrets());
    // Narrows the owners shown (in the page, without a round trip).
    let filter = RwSignal::new(String::new());
    let actions = Actions {
        network_rotate: Action::new(|(id, s): &(String, i64)| rotate_network_key(id.clone(), *s)),
        network_revoke: Action::new(|(id, k): &(String, String)| revoke_network_key(id.clone(), k.clone())),
        program_rotate: Action::new(|(id, s): &(String, i64)| rotate_program_key(id.clone(), *s)),
        program_revoke: Action::new(|(id, k): &(String, String)| revoke_program_key(id.clone(), k.clone())),
        reward_create: Action::new(|_: &()| create_reward_secret()),
        reward_rotate: Action::new(|(id, s): &(String, i64)| rotate_reward_secret(id.clone(), *s)),
        reward_revoke: Action::new(|id: &String| revoke_reward_secret(id.clone())),
        postback_rotate: Action::new(|id: &String| rotate_postback_secret(id.clone())),
        revealed: RwSignal::new(None),
        target: RwSignal::new((String::new(), String::new())),
    };
    let reveal = move |secret: String| {
        let (owner, title) = actions.target.get_untracked();
        actions.revealed.set(Some(Revealed { owner, title, secret }));
        overview.refetch();
    };
    Effect::new(move |_| {
        if let Some(Ok(key)) = actions.network_rotate.value().get() {
            reveal(key);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(key)) = actions.program_rotate.value().get() {
            reveal(key);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(key)) = actions.reward_rotate.value().get() {
            reveal(key);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(key)) = actions.reward_create.value().get() {
            reveal(key);
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(key)) = actions.postback_rotate.value().get() {
            reveal(key);
        }
    });
    // One effect per revoke action, so an answer never re-reads because of another's success.
    for revoke in [actions.network_revoke, actions.program_revoke] {
        Effect::new(move |_| {
            if let Some(Ok(())) = revoke.value().get() {
                overview.refetch();
            }
        });
    }
    Effect::new(move |_| {
        if let Some(Ok(())) = actions.reward_revoke.value().get() {
            overview.refetch();
        }
    });
    view! {
        <div class="page-head">
            <h1>"Secrets"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"Every key and secret TapRain hands out. A new one is shown once, right after it is made; afterwards only its first characters. Rotating issues a new one and lets the old one work for the overlap you choose, so nobody loses a postback while switching. Times are UTC."</p>
        <Errors actions />
        <form class="toolbar list-search" role="search" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span>"Show only names containing"</span>
                <input type="search" data-testid="secrets-filter" placeholder="Network, program, publisher or provider" autocomplete="off"
                    prop:value=move || filter.get() on:input=move |ev| filter.set(event_target_value(&ev)) />
            </label>
        </form>
        <Transition fallback=|| view! { <p class="loading">"Loading secrets…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Sections overview=o actions filter /> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Transition>
        // Outside the transition: it loads its own list, and a resource made inside a suspended
        // view does not hydrate.
        <AdminTokens />
    }
}

/// Failures of any action, above the lists (which re-render).
#[component]
fn Errors(actions: Actions) -> impl IntoView {
    let message = move || {
        let outcome = |v: Option<Result<String, FormError>>| v.and_then(|r| r.err()).map(|e| e.to_string());
        let plain = |v: Option<Result<(), ServerFnError>>| v.and_then(|r| r.err()).map(|e| error_message(&e));
        outcome(actions.network_rotate.value().get())
            .or_else(|| outcome(actions.program_rotate.value().get()))
            .or_else(|| outcome(actions.reward_rotate.value().get()))
            .or_else(|| plain(actions.network_revoke.value().get()))
            .or_else(|| plain(actions.program_revoke.value().get()))
            .or_else(|| plain(actions.reward_revoke.value().get()))
            .or_else(|| actions.reward_create.value().get().and_then(|r| r.err()).map(|e| error_message(&e)))
            .or_else(|| actions.postback_rotate.value().get().and_then(|r| r.err()).map(|e| error_message(&e)))
    };
    view! { {move || message().map(|m| view! { <p class="alert alert-error" role="alert" data-testid="secrets-error">{m}</p> })} }
}

/// The panel of the secret just made, if it belongs to `owner`.
fn revealed_for(actions: Actions, owner: String) -> impl IntoView {
    move || {
        actions.revealed.get().filter(|r| r.owner == owner).map(|r| {
            view! { <SecretOnce title=r.title secret=r.secret on_dismiss=Callback::new(move |_| actions.revealed.set(None)) /> }
        })
    }
}

/// True unless `filter` is set and `name` does not contain it (ignoring case).
fn shown(filter: RwSignal<String>, name: &str) -> bool {
    filter.with(|f| name_matches(f, name))
}

#[component]
fn Sections(overview: SecretsOverview, actions: Actions, filter: RwSignal<String>) -> impl IntoView {
    let SecretsOverview { networks, programs, reward_secrets, postback_secrets, provider_secrets, now } = overview;
    view! {
        <OwnerSection owners=networks kind=OwnerKind::Network now actions filter />
        <OwnerSection owners=programs kind=OwnerKind::Program now actions filter />
        <RewardSecrets secrets=reward_secrets now actions />
        <PostbackSecrets secrets=postback_secrets actions filter />
        <ProviderSecrets secrets=provider_secrets now filter />
    }
}

/// The networks' or the programs' keys, a page of owners at a time, narrowed by `filter`.
#[component]
fn OwnerSection(owners: Vec<OwnedKeys>, kind: OwnerKind, now: i64, actions: Actions, filter: RwSignal<String>) -> impl IntoView {
    let (test_id, title, list) = match kind {
        OwnerKind::Network => ("network-keys", "Network security keys", "/admin/networks"),
        OwnerKind::Program => ("program-keys", "Program API keys", "/admin/programs"),
    };
    let intro = match kind {
        OwnerKind::Network => {
            view! { "Networks send their key as " <code>"key="</code> " on " <code>"/api/postback/cpa"</code> "." }.into_any()
        }
        OwnerKind::Program => {
            view! { "Merchants send their program's key as " <code>"X-Api-Key"</code> " on " <code>"/api/v1/conversions"</code> "." }
                .into_any()
        }
    };
    if owners.is_empty() {
        return view! {
            <section data-testid=test_id>
                <div class="section-head"><h2>{title}</h2></div>
                <p class="muted">{intro}</p>
                <p class="empty small">"None yet. " <a href=list>"Add one"</a> " and its first key is shown here once."</p>
            </section>
        }
        .into_any();
    }
    let offset = RwSignal::new(0_i64);
    // A new filter starts again at the first page.
    Effect::new(move |previous: Option<String>| {
        let now = filter.get();
        if previous.is_some_and(|p| p != now) {
            offset.set(0);
        }
        now
    });
    let owners = StoredValue::new(owners);
    let matching = move || owners.with_value(|all| all.iter().filter(|o| shown(filter, &o.name)).cloned().collect::<Vec<_>>());
    view! {
        <section data-testid=test_id>
            <div class="section-head"><h2>{title}</h2></div>
            <p class="muted">{intro}</p>
            {move || {
                let matching = matching();
                let total = matching.len() as i64;
                let at = offset.get().min(total.saturating_sub(1).max(0) / PAGE_SIZE * PAGE_SIZE);
                let page: Vec<OwnedKeys> = matching.into_iter().skip(at as usize).take(PAGE_SIZE as usize).collect();
                let shown_count = page.len();
                view! {
                    {page.into_iter().map(|owner| view! { <OwnerKeys owner now kind actions /> }).collect_view()}
                    {(total > PAGE_SIZE).then(|| view! { <Pager offset limit=PAGE_SIZE shown=shown_count total /> })}
                }
            }}
        </section>
    }
    .into_any()
}

#[derive(Clone, Copy, PartialEq)]
enum OwnerKind {
    Network,
    Program,
}

#[component]
fn OwnerKeys(owner: OwnedKeys, now: i64, kind: OwnerKind, actions: Actions) -> impl IntoView {
    let OwnedKeys { id, name, active, keys } = owner;
    let (href, noun) = match kind {
        OwnerKind::Network => (format!("/admin/networks/{id}"), "security key"),
        OwnerKind::Program => (format!("/admin/programs/{id}"), "API key"),
    };
    let (rotate_action, revoke_action) = match kind {
        OwnerKind::Network => (actions.network_rotate, actions.network_revoke),
        OwnerKind::Program => (actions.program_rotate, actions.program_revoke),
    };
    let title = format!("New {noun} for {name}");
    let rotate = {
        let id = id.clone();
        Callback::new(move |seconds: i64| {
            actions.aim(&id, &title);
            rotate_action.dispatch((id.clone(), seconds));
        })
    };
    let revoke = {
        let id = id.clone();
        Callback::new(move |key_id: String| {
            revoke_action.dispatch((id.clone(), key_id));
        })
    };
    view! {
        <div class="card owner-keys" data-testid="owner-keys" data-owner=id.clone() data-name=name.clone()>
            <div class="card-head">
                <h3><a href=href>{name.clone()}</a></h3>
                <StatusBadge status=active_word(active) />
            </div>
            {(!active).then(|| view! { <p class="muted small">"Deactivated: none of its keys authenticate until it is reactivated."</p> })}
            <KeyList keys now noun="key" on_revoke=revoke pending=revoke_action.pending() />
            <RotateControl id=format!("rotate-{id}") on_rotate=rotate pending=rotate_action.pending() label="Rotate" />
            {revealed_for(actions, id.clone())}
        </div>
    }
}

#[component]
fn RewardSecrets(secrets: Vec<NetworkKeyInfo>, now: i64, actions: Actions) -> impl IntoView {
    let working: Vec<(String, String)> =
        secrets.iter().filter(|s| KeyState::at(s.valid_until, s.revoked_at, now).works()).map(|s| (s.id.clone(), s.hint.clone())).collect();
    let chosen = RwSignal::new(working.first().map(|(id, _)| id.clone()).unwrap_or_default());
    let overlap = RwSignal::new(Some(86_400_i64));
    let revoke = Callback::new(move |id: String| {
        actions.reward_revoke.dispatch(id);
    });
    let generate = move |_| {
        actions.aim("reward", "New reward API secret");
        actions.reward_create.dispatch(());
    };
    let rotate = move |_| {
        if let Some(seconds) = overlap.get_untracked() {
            actions.aim("reward", "Replacement reward API secret");
            actions.reward_rotate.dispatch((chosen.get_untracked(), seconds));
        }
    };
    let has_working = !working.is_empty();
    view! {
        <section data-testid="reward-secrets">
            <div class="section-head">
                <h2>"Reward API secrets"</h2>
                <button type="button" class="btn btn-primary" data-testid="generate-reward-secret" disabled=move || actions.reward_create.pending().get() on:click=generate>
                    "Generate secret"
                </button>
            </div>
            <p class="muted">"The reward app backend sends one as " <code>"Authorization: Bearer …"</code> " or " <code>"X-Reward-Api-Secret"</code> ". Several may work at once. "
                <a href="/admin/health?kind=reward_secret" data-testid="health-link">"Health of their calls"</a></p>
            <div class="card">
                <KeyList keys=secrets now noun="secret" on_revoke=revoke pending=actions.reward_revoke.pending() />
                {has_working.then(|| view! {
                    <div class="rotate toolbar">
                        <label class="field">
                            <span>"Replace"</span>
                            <select data-testid="reward-secret-choice" prop:value=move || chosen.get() on:change=move |ev| chosen.set(event_target_value(&ev))>
                                {working.into_iter().map(|(id, hint)| view! { <option value=id>{hint}</option> }).collect_view()}
                            </select>
                        </label>
                        <OverlapSelect value=overlap id="reward" />
                        <button type="button" class="btn" data-testid="rotate-reward-secret" on:click=rotate
                            disabled=move || actions.reward_rotate.pending().get() || overlap.get().is_none()>"Rotate"</button>
                    </div>
                })}
                {revealed_for(actions, "reward".into())}
            </div>
        </section>
    }
}

#[component]
fn PostbackSecrets(secrets: Vec<PostbackSecretInfo>, actions: Actions, filter: RwSignal<String>) -> impl IntoView {
    let body = if secrets.is_empty() {
        view! { <p class="empty small">"No publisher has postback settings yet. A publisher's signing secret is made when its postback URL is first saved (in the portal, or through the admin API)."</p> }.into_any()
    } else {
        secrets
            .into_iter()
            .map(|s| {
                let id = s.publisher_id.clone();
                let title = format!("New postback secret for {}", s.publisher_name);
                let rotate = {
                    let id = id.clone();
                    Callback::new(move |_| {
                        actions.aim(&id, &title);
                        actions.postback_rotate.dispatch(id.clone());
                    })
                };
                view! {
                    <div class="card owner-keys" data-testid="postback-secret" data-owner=id.clone() data-name=s.publisher_name.clone()
                        hidden={
                            let name = s.publisher_name.clone();
                            move || !shown(filter, &name)
                        }>
                        <div class="card-head">
                            <h3><a href=format!("/admin/publishers/{id}")>{s.publisher_name.clone()}</a></h3>
                            <ConfirmButton label="Rotate" question=format!("Replace the signing secret of {}? Postbacks are signed with the new one from now on; the publisher must update their server.", s.publisher_name)
                                confirm_label="Yes, rotate" pending=actions.postback_rotate.pending() test_id="rotate-postback-secret" on_confirm=rotate />
                        </div>
                        <p class="small"><code>{s.hint.clone()}</code> <span class="muted">" · settings changed " {date_time(s.updated_at)}</span></p>
                        {revealed_for(actions, id.clone())}
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section data-testid="postback-secrets">
            <div class="section-head"><h2>"Publisher postback secrets"</h2></div>
            <p class="muted">"TapRain signs each outbound postback with the publisher's secret (the " <code>"hash"</code> " parameter). Rotation takes effect at once: TapRain signs, the publisher verifies, so there is no overlap to choose — tell them before you rotate."</p>
            {body}
        </section>
    }
}
