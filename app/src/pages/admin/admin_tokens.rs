//! The admin API tokens section of the secrets screen: each token by hint, whose it is, when it
//! was made and last used, and a Revoke button. Tokens are made on the command line
//! (`taprain admin token --email E`), where they are shown once.

use leptos::prelude::*;

use crate::api::error_message;
use crate::api::secrets::{load_admin_tokens, revoke_admin_token};
use crate::components::ConfirmButton;
use crate::domain::secrets::AdminTokenInfo;
use crate::domain::when::date_time;

#[component]
pub fn AdminTokens() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| load_admin_tokens());
    let revoke = Action::new(|id: &String| revoke_admin_token(id.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = revoke.value().get() {
            tokens.refetch();
        }
    });
    let failed = move || revoke.value().get().and_then(|r| r.err()).map(|e| error_message(&e));
    view! {
        <section data-testid="admin-tokens">
            <div class="section-head"><h2>"Admin API tokens"</h2></div>
            <p class="muted">"Scripts send one as " <code>"Authorization: Bearer …"</code> " on " <code>"/api/admin"</code> ". Made with " <code>"taprain admin token --email …"</code> "; a revoked token is refused at once."</p>
            {move || failed().map(|m| view! { <p class="alert alert-error" role="alert">{m}</p> })}
            <Transition fallback=|| view! { <p class="loading">"Loading tokens…"</p> }>
                {move || Suspend::new(async move {
                    match tokens.await {
                        Ok(list) if list.is_empty() => view! { <p class="empty small">"No admin API tokens."</p> }.into_any(),
                        Ok(list) => view! { <TokenTable list revoke /> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn TokenTable(list: Vec<AdminTokenInfo>, revoke: Action<String, Result<(), ServerFnError>>) -> impl IntoView {
    let when = |ms: Option<i64>| ms.map(date_time).unwrap_or_else(|| "—".into());
    let rows = list
        .into_iter()
        .map(|t| {
            let hint = if t.hint.is_empty() { "tra_…".to_owned() } else { t.hint.clone() };
            let id = t.id.clone();
            let on_confirm = Callback::new(move |_| {
                revoke.dispatch(id.clone());
            });
            view! {
                <tr data-testid="admin-token" data-id=t.id.clone()>
                    <td><code>{hint.clone()}</code></td>
                    <td>{t.owner_email.clone()}</td>
                    <td>{date_time(t.created_at)}</td>
                    <td>{when(t.last_used_at)}</td>
                    <td>
                        {match t.revoked_at {
                            Some(at) => view! { <span class="muted">"Revoked " {date_time(at)}</span> }.into_any(),
                            None => view! {
                                <ConfirmButton label="Revoke" question=format!("Revoke token {hint}? Scripts using it are refused at once.")
                                    confirm_label="Yes, revoke" danger=true small=true pending=revoke.pending() test_id="revoke-admin-token" on_confirm />
                            }.into_any(),
                        }}
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table>
                <thead><tr><th>"Token"</th><th>"Owner"</th><th>"Created (UTC)"</th><th>"Last used (UTC)"</th><th><span class="sr-only">"Actions"</span></th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
