//! `/admin/reward`: what the reward level postback (seed 003) is checked against — store apps
//! (`pid`) and reward games (`gid`), each registered, renamed, deactivated (postbacks naming
//! it are then refused like an unknown one) or reactivated — and the reward users with their
//! coins, each opening their level postbacks.

use leptos::prelude::*;

use super::AdminPage;
use crate::api::form_error::FormError;
use crate::api::reward::{
    create_catalog_entry, list_catalog, list_reward_users, update_catalog_entry, CatalogEntry, RewardCatalog, CATALOG_FIELDS,
};
use crate::components::field_error::invalid;
use crate::components::{ActiveFilter, ConfirmButton, FieldError, FormAlert, ListPage, LiveBadge, SearchBar, SearchBox, StatusBadge};
use crate::domain::reward::catalog::RewardUser;
use crate::domain::when::date_time;

#[component]
pub fn AdminRewardPage() -> impl IntoView {
    view! {
        <AdminPage title="Reward apps" current="/admin/reward">
            <div class="page-head"><h1>"Reward apps"</h1><LiveBadge /></div>
            <p class="muted">"Games post completed levels to " <code>"POST /api/postback"</code> " with a store app's " <code>"pid"</code> ", a game's " <code>"gid"</code> " and a reward user's " <code>"uid"</code> ". Unknown or deactivated apps and games are refused with 400; every 5th level credits coins."</p>
            <nav class="tabs" aria-label="Reward sections">
                <a href="#store-apps">"Store apps"</a>
                <a href="#reward-games">"Reward games"</a>
                <a href="#reward-users">"Reward users"</a>
            </nav>
            <CatalogSection catalog=RewardCatalog::StoreApps />
            <CatalogSection catalog=RewardCatalog::Games />
            <RewardUsers />
        </AdminPage>
    }
}

/// Words that differ between the two catalogs.
#[derive(Clone, Copy)]
struct Words {
    anchor: &'static str,
    title: &'static str,
    id_label: &'static str,
    id_hint: &'static str,
    empty: &'static str,
    next: &'static str,
    testid: &'static str,
}

fn words(catalog: RewardCatalog) -> Words {
    match catalog {
        RewardCatalog::StoreApps => Words {
            anchor: "store-apps",
            title: "Store apps",
            id_label: "pid",
            id_hint: "The partner id in the install referrer, matched exactly.",
            empty: "No store apps yet",
            next: "Register the pid your partner's install links carry; level postbacks must name it.",
            testid: "store-app",
        },
        RewardCatalog::Games => Words {
            anchor: "reward-games",
            title: "Reward games",
            id_label: "Game id (gid)",
            id_hint: "The game id in the install referrer, matched exactly.",
            empty: "No reward games yet",
            next: "Register each game's id before it goes live; level postbacks must name it.",
            testid: "game",
        },
    }
}

#[component]
fn CatalogSection(catalog: RewardCatalog) -> impl IntoView {
    let w = words(catalog);
    let q = RwSignal::new(String::new());
    let status = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let listing = Resource::new(move || (q.get(), status.get(), offset.get()), move |(q, s, o)| list_catalog(catalog, q, s, o));
    let notice = RwSignal::new(None::<String>);
    let update = Action::new(move |(id, name, active): &(String, Option<String>, Option<bool>)| {
        update_catalog_entry(catalog, id.clone(), name.clone(), *active)
    });
    Effect::new(move |_| match update.value().get() {
        Some(Ok(entry)) => {
            notice.set(Some(format!("{} ({}) is {}.", entry.name, entry.id, if entry.active { "active" } else { "deactivated" })));
            listing.refetch();
        }
        Some(Err(err)) => notice.set(Some(err.to_string())),
        None => {}
    });
    let created = Callback::new(move |entry: CatalogEntry| {
        notice.set(Some(format!("Registered {} ({}).", entry.name, entry.id)));
        listing.refetch();
    });
    let testid = w.testid;
    view! {
        <section class="card" id=w.anchor aria-labelledby=format!("{}-title", w.anchor) data-testid=format!("{testid}s")>
            <h2 id=format!("{}-title", w.anchor)>{w.title}</h2>
            <RegisterForm catalog id_label=w.id_label id_hint=w.id_hint on_created=created />
            {move || notice.get().map(|text| view! { <p class="alert alert-success" role="status" data-testid=format!("{testid}-notice")>{text}</p> })}
            <SearchBar label=format!("Find {}", w.title.to_lowercase())>
                <SearchBox value=q offset label="Search" placeholder="Id or name" test_id=format!("{testid}-search") />
                <ActiveFilter value=status offset />
            </SearchBar>
            <ListPage listing offset filtered=Signal::derive(move || !q.get().trim().is_empty() || !status.get().is_empty())
                headers=vec![w.id_label, "Name", "Registered", "Status", ""] test_id=format!("{testid}s-table") label=w.title
                nothing_yet=w.empty next_step=w.next row=move |entry: CatalogEntry| view! { <CatalogRow entry update testid /> } />
        </section>
    }
}

type Update = Action<(String, Option<String>, Option<bool>), Result<CatalogEntry, FormError>>;

#[component]
fn CatalogRow(entry: CatalogEntry, update: Update, testid: &'static str) -> impl IntoView {
    let renaming = RwSignal::new(false);
    let new_name = RwSignal::new(entry.name.clone());
    let id = entry.id.clone();
    let active = entry.active;
    let input_id = format!("rename-{}", entry.id);
    let rename = {
        let id = id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            update.dispatch((id.clone(), Some(new_name.get_untracked()), None));
            renaming.set(false);
        }
    };
    view! {
        <tr data-testid=format!("{testid}-row") data-id=entry.id.clone()>
            <td><code>{entry.id.clone()}</code></td>
            <td>
                <Show when=move || renaming.get() fallback={
                    let name = entry.name.clone();
                    move || name.clone()
                }>
                    <form class="inline-edit" on:submit=rename.clone()>
                        <label class="sr-only" for=input_id.clone()>"New name"</label>
                        <input id=input_id.clone() maxlength="120" data-testid="rename-input" prop:value=move || new_name.get()
                            on:input=move |ev| new_name.set(event_target_value(&ev)) />
                        <button type="submit" class="btn btn-small btn-primary" data-testid="rename-save">"Save"</button>
                        <button type="button" class="btn btn-small" on:click=move |_| renaming.set(false)>"Cancel"</button>
                    </form>
                </Show>
            </td>
            <td class="nowrap small">{date_time(entry.created_at)}</td>
            <td><StatusBadge status=if active { "active" } else { "inactive" } /></td>
            <td class="actions">
                <button type="button" class="btn btn-small" data-testid="rename" on:click=move |_| renaming.set(true)>"Rename"</button>
                {if active {
                    let id = id.clone();
                    view! {
                        <ConfirmButton label="Deactivate" question="Refuse its postbacks?" small=true confirm_label="Yes, deactivate" danger=true
                            pending=update.pending() test_id="deactivate"
                            on_confirm=Callback::new(move |_| { update.dispatch((id.clone(), None, Some(false))); }) />
                    }.into_any()
                } else {
                    let id = id.clone();
                    view! {
                        <button type="button" class="btn btn-small" data-testid="activate" disabled=move || update.pending().get()
                            on:click=move |_| { update.dispatch((id.clone(), None, Some(true))); }>"Reactivate"</button>
                    }.into_any()
                }}
            </td>
        </tr>
    }
}

#[component]
fn RegisterForm(
    catalog: RewardCatalog,
    id_label: &'static str,
    id_hint: &'static str,
    on_created: Callback<CatalogEntry>,
) -> impl IntoView {
    let id = RwSignal::new(String::new());
    let name = RwSignal::new(String::new());
    let create = Action::new(move |(id, name): &(String, String)| create_catalog_entry(catalog, id.clone(), name.clone()));
    let error = Signal::derive(move || create.value().get().and_then(Result::err));
    Effect::new(move |_| {
        if let Some(Ok(entry)) = create.value().get() {
            id.set(String::new());
            name.set(String::new());
            on_created.run(entry);
        }
    });
    let prefix = match catalog {
        RewardCatalog::StoreApps => "app",
        RewardCatalog::Games => "game",
    };
    let id_field = format!("{prefix}-id");
    let name_field = format!("{prefix}-name");
    view! {
        <FormAlert error fields=CATALOG_FIELDS />
        <form class="form register-form" novalidate data-testid=format!("{prefix}-form")
            on:submit=move |ev| { ev.prevent_default(); create.dispatch((id.get_untracked(), name.get_untracked())); }>
            <div class="form-grid">
                <div>
                    <label for=id_field.clone()>{id_label}</label>
                    <input id=id_field.clone() maxlength="64" autocomplete="off" spellcheck="false" data-testid=id_field.clone()
                        prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))
                        aria-invalid=invalid(error, "id") aria-describedby=format!("{prefix}-id-help {prefix}-id-error") />
                    <p class="hint" id=format!("{prefix}-id-help")>{id_hint}</p>
                    <FieldError error field="id" id=format!("{prefix}-id-error") />
                </div>
                <div>
                    <label for=name_field.clone()>"Name"</label>
                    <input id=name_field.clone() maxlength="120" autocomplete="off" data-testid=name_field.clone()
                        prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                        aria-invalid=invalid(error, "name") aria-describedby=format!("{prefix}-name-error") />
                    <FieldError error field="name" id=format!("{prefix}-name-error") />
                </div>
                <div class="form-submit">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid=format!("{prefix}-register") disabled=move || create.pending().get()>
                        {move || if create.pending().get() { "Registering…" } else { "Register" }}
                    </button>
                </div>
            </div>
        </form>
    }
}

#[component]
fn RewardUsers() -> impl IntoView {
    let q = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let listing = Resource::new(move || (q.get(), offset.get()), |(q, o)| list_reward_users(q, o));
    view! {
        <section class="card" id="reward-users" aria-labelledby="reward-users-title" data-testid="reward-users">
            <h2 id="reward-users-title">"Reward users"</h2>
            <p class="muted">"Registered by the reward app (" <code>"POST /api/reward/users"</code> "); coins are the sum of their ledger entries."</p>
            <SearchBar label="Find reward users">
                <SearchBox value=q offset label="Search" placeholder="User id, app id or device id" test_id="user-search" />
            </SearchBar>
            <ListPage listing offset filtered=Signal::derive(move || !q.get().trim().is_empty())
                headers=vec!["User", "App", "Device", "Coins#", "Registered"] test_id="users-table" label="Reward users"
                nothing_yet="No reward users yet" next_step="The reward app registers each player with POST /api/reward/users and its reward API secret."
                row=|u: RewardUser| view! {
                    <tr data-testid="user-row" data-id=u.id.clone()>
                        <td><a href=format!("/admin/reward/users/{}", u.id)><code>{u.id.clone()}</code></a></td>
                        <td class="wrap">{u.app_id}</td>
                        <td class="clip">{u.device_id}</td>
                        <td class="num" data-testid="user-coins">{u.coins}</td>
                        <td class="nowrap small">{date_time(u.created_at)}</td>
                    </tr>
                } />
        </section>
    }
}
