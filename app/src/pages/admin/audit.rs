//! `/admin/audit`: who did what, when, on what — newest first, filtered by actor, action,
//! target and a day range (UTC), a page at a time.

use leptos::prelude::*;

use super::AdminPage;
use crate::api::audit::{audit_actions, list_audit, AuditQuery, AUDIT_FIELDS};
use crate::components::field_error::invalid;
use crate::components::reader_zone::{in_zone, local_time, reader_zone};
use crate::components::{FieldError, FormAlert, ListPage, LiveBadge};
use crate::domain::audit::AuditEntry;

#[component]
pub fn AdminAuditPage() -> impl IntoView {
    view! {
        <AdminPage title="Audit log" current="/admin/audit">
            <AuditLog />
        </AdminPage>
    }
}

#[component]
fn AuditLog() -> impl IntoView {
    let actor = RwSignal::new(String::new());
    let action = RwSignal::new(String::new());
    let target = RwSignal::new(String::new());
    let from = RwSignal::new(String::new());
    let to = RwSignal::new(String::new());
    let offset = RwSignal::new(0i64);
    let query = move || AuditQuery { actor: actor.get(), action: action.get(), target: target.get(), from: from.get(), to: to.get() };
    let listing = Resource::new(move || (query(), offset.get()), |(q, o)| list_audit(q, o));
    let actions = Resource::new(|| (), |_| audit_actions());
    let error = Signal::derive(move || listing.get().and_then(Result::err));
    let filtered = move || query() != AuditQuery::default();
    let set = move |signal: RwSignal<String>| {
        move |ev: leptos::ev::Event| {
            signal.set(event_target_value(&ev));
            offset.set(0);
        }
    };
    view! {
        <div class="page-head"><h1>"Audit log"</h1><LiveBadge /></div>
        <p class="muted">"Every change made by an admin — in the dashboard, through the admin API or the command line — newest first. Times are in " <span data-testid="audit-zone">{reader_zone().name()}</span> "; the day filters are UTC days."</p>
        <form class="toolbar filters" role="search" aria-label="Filter the audit log" on:submit=|ev| ev.prevent_default()>
            <label class="field">
                <span>"Actor"</span>
                <input type="search" placeholder="Email or user:…" autocomplete="off" maxlength="200" data-testid="filter-actor"
                    prop:value=move || actor.get() on:input=set(actor) />
            </label>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    let known = actions.await.unwrap_or_default();
                    view! {
                        <label class="field">
                            <span>"Action"</span>
                            <select data-testid="filter-action" prop:value=move || action.get() on:change=set(action)>
                                <option value="">"Any action"</option>
                                {known.into_iter().map(|a| {
                                    let selected = action.with_untracked(|c| *c == a);
                                    let label = a.clone();
                                    view! { <option value=a selected=selected>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    }
                })}
            </Suspense>
            <label class="field">
                <span>"Target"</span>
                <input type="search" placeholder="Id of what changed" autocomplete="off" maxlength="200" data-testid="filter-target"
                    prop:value=move || target.get() on:input=set(target) />
            </label>
            <div class="field">
                <label for="audit-from"><span>"From"</span></label>
                <input id="audit-from" type="date" data-testid="filter-from" prop:value=move || from.get() on:change=set(from)
                    aria-invalid=invalid(error, "from") aria-describedby="from-error" />
                <FieldError error field="from" />
            </div>
            <div class="field">
                <label for="audit-to"><span>"To"</span></label>
                <input id="audit-to" type="date" data-testid="filter-to" prop:value=move || to.get() on:change=set(to)
                    aria-invalid=invalid(error, "to") aria-describedby="to-error" />
                <FieldError error field="to" />
            </div>
            <button type="button" class="btn btn-ghost" disabled=move || !filtered()
                on:click=move |_| { for s in [actor, action, target, from, to] { s.set(String::new()); } offset.set(0); }>"Clear filters"</button>
        </form>
        <FormAlert error fields=AUDIT_FIELDS />
        <ListPage listing offset filtered=Signal::derive(filtered) errors_shown_above=true
            headers=vec![in_zone("When"), "Who".into(), "Action".into(), "Target".into(), "Details".into()] test_id="audit-table" label="Audit log"
            nothing_yet="Nothing audited yet" next_step="Changes to networks, publishers, keys, catalogs and conversions are recorded here as admins make them."
            row=|entry: AuditEntry| view! { <AuditRow entry /> } />
    }
}

/// The details object as `key: value` pairs, values without JSON quotes.
fn details_text(details: &serde_json::Value) -> String {
    match details {
        serde_json::Value::Object(map) => map
            .iter()
            .map(|(k, v)| match v {
                serde_json::Value::String(s) => format!("{k}: {s}"),
                other => format!("{k}: {other}"),
            })
            .collect::<Vec<_>>()
            .join(", "),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[component]
fn AuditRow(entry: AuditEntry) -> impl IntoView {
    let who = entry.actor_email.clone().unwrap_or_else(|| entry.actor.clone());
    let via = match entry.actor.split_once(':') {
        Some(("token", _)) => "admin API",
        Some(("user", _)) => "dashboard",
        _ if entry.actor == "cli" => "command line",
        _ => "",
    };
    view! {
        <tr data-testid="audit-row" data-action=entry.action.clone()>
            <td class="nowrap small">{local_time(entry.at)}</td>
            <td>
                <span data-testid="audit-actor">{who}</span>
                {(!via.is_empty()).then(|| view! { <div class="muted small">{via}</div> })}
            </td>
            <td><span class="pill" data-testid="audit-action">{entry.action.clone()}</span></td>
            <td><code class="id" data-testid="audit-target">{entry.target.clone()}</code></td>
            <td class="params small"><code>{details_text(&entry.details)}</code></td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn details_read_as_pairs() {
        assert_eq!(details_text(&serde_json::json!({ "name": "A", "active": false })), "active: false, name: A");
        assert_eq!(details_text(&serde_json::Value::Null), "");
    }
}
