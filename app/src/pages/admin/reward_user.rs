//! `/admin/reward/users/:id`: one reward user (read only) — coins, app and device, and their
//! level postbacks newest first, each linking to its row in the conversion details.

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::AdminPage;
use crate::api::error_message;
use crate::api::reward::{get_reward_user, RewardUserDetails, USER_POSTBACKS_SHOWN};
use crate::components::{DataTable, LiveBadge, StatCard};
use crate::domain::when::date_time;

#[component]
pub fn AdminRewardUserPage() -> impl IntoView {
    view! {
        <AdminPage title="Reward user" current="/admin/reward">
            <UserView />
        </AdminPage>
    }
}

#[component]
fn UserView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let details = Resource::new(id, get_reward_user);
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/reward#reward-users">"← Reward users"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the user…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(d) => view! { <Details details=d /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Reward user"</h1></div>
                        <p class="alert alert-error" role="alert">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Details(details: RewardUserDetails) -> impl IntoView {
    let RewardUserDetails { user, postbacks, more } = details;
    let credited = postbacks.iter().filter(|p| p.awarded).count();
    view! {
        <div class="page-head">
            <h1>"Reward user"</h1>
            <LiveBadge />
        </div>
        <p><code data-testid="reward-user-id">{user.id.clone()}</code></p>
        <div class="stats">
            <StatCard label="Coins" value=user.coins.to_string() hint="" test_id="reward-user-coins" />
            <StatCard label="Level postbacks" value=postbacks.len().to_string() hint=if more { format!("newest {USER_POSTBACKS_SHOWN} shown") } else { String::new() } test_id="reward-user-postbacks" />
            <StatCard label="Milestones credited" value=credited.to_string() hint="every 5th level" test_id="reward-user-credited" />
        </div>
        <dl class="fields">
            <div class="field-row"><dt>"App id"</dt><dd>{user.app_id}</dd></div>
            <div class="field-row"><dt>"Device id"</dt><dd>{user.device_id}</dd></div>
            <div class="field-row"><dt>"Registered"</dt><dd>{date_time(user.created_at)}</dd></div>
        </dl>
        <section>
            <h2>"Level postbacks"</h2>
            {if postbacks.is_empty() {
                view! { <div class="empty"><h2>"No level postbacks yet"</h2><p>"They appear here when the user's game posts completed levels."</p></div> }.into_any()
            } else {
                view! {
                    <DataTable headers=vec!["Received", "Game", "App (pid)", "Level#", "Coins#", "Note", ""] test_id="user-postbacks">
                        {postbacks.into_iter().map(|p| view! {
                            <tr data-testid="user-postback" data-level=p.level_number.to_string()>
                                <td class="nowrap small">{date_time(p.created_at)}</td>
                                <td><code>{p.gid}</code></td>
                                <td><code>{p.pid}</code></td>
                                <td class="num">{p.level_number}</td>
                                <td class="num">{if p.awarded { format!("+{}", p.coin_delta) } else { "—".to_string() }}</td>
                                <td class="clip">{p.reason.unwrap_or_default()}</td>
                                <td><a class="small" href=format!("/admin/conversions/{}", p.conversion_id)>"Details"</a></td>
                            </tr>
                        }).collect_view()}
                    </DataTable>
                }.into_any()
            }}
        </section>
    }
}
