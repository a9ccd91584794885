//! The one detail view of a key-managed entity (network, program, publisher): the loader with
//! its breadcrumb, the head (name, state, deactivate or reactivate, id and creation time), the
//! keys card (list, rotate with an overlap, revoke, the new key shown once) and the slot card
//! (approved IPs, or a program's codes: the rows with "remove", and a form to add one).

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::health::HealthLink;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::components::field_error::action_error;
use crate::components::{ConfirmButton, KeyList, LiveBadge, RotateControl, SecretOnce, StatusBadge};
use crate::domain::health::SourceKind;
use crate::domain::partners::NetworkKeyInfo;
use crate::domain::when::date_time;

/// An action of a detail screen; `E` is `ServerFnError`, or `FormError` for forms.
pub type Act<I, O, E = ServerFnError> = Action<I, Result<O, E>>;

/// "active" or "inactive", as a badge word.
pub fn active_word(active: bool) -> &'static str {
    if active {
        "active"
    } else {
        "inactive"
    }
}

/// The first cells of a network's, program's or publisher's row in its list: the name (a link
/// to its detail view), the id and the state.
#[component]
pub fn EntityCells(list: &'static str, id: String, name: String, active: bool) -> impl IntoView {
    view! {
        <td class="wrap"><a href=format!("{list}/{id}")>{name}</a></td>
        <td><code class="id">{id.clone()}</code></td>
        <td><StatusBadge status=active_word(active) /></td>
    }
}

/// Re-reads `details` each time `action` succeeds (one effect per action, so an answer never
/// re-reads them because of another action's earlier success).
pub fn refetch_on_success<I, O, E, D>(action: Act<I, O, E>, details: Resource<D>)
where
    I: Send + Sync + 'static,
    O: Send + Sync + 'static,
    E: Send + Sync + 'static,
    D: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|answer| matches!(answer, Some(Ok(_)))) {
            details.refetch();
        }
    });
}

/// [`refetch_on_success`] for each of a screen's actions: `refetch_after!(details; a, b, c)`.
macro_rules! refetch_after {
    ($details:expr; $($action:expr),+ $(,)?) => {
        $( $crate::pages::admin::entity_detail::refetch_on_success($action, $details); )+
    };
}
pub(crate) use refetch_after;

/// The breadcrumb back to the list, then the loaded details drawn by `render`, or why they
/// could not be loaded.
#[component]
pub fn DetailLoader<D, R, V>(
    back_href: &'static str,
    /// The list's name ("Networks") and, lower-cased and singular, what one is ("network").
    list: &'static str,
    noun: &'static str,
    details: Resource<Result<D, ServerFnError>>,
    render: R,
) -> impl IntoView
where
    D: Clone + Send + Sync + Serialize + DeserializeOwned + 'static,
    R: Fn(D) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let busy = RwSignal::new(false);
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href=back_href>{format!("← {list}")}</a></nav>
        <div aria-busy=move || busy.get().to_string()>
            <Transition fallback=move || view! { <p class="loading">{format!("Loading the {noun}…")}</p> } set_pending=busy>
                {move || {
                    let render = render.clone();
                    Suspend::new(async move {
                        match details.await {
                            Ok(d) => render(d).into_any(),
                            Err(err) => view! {
                                <div class="page-head"><h1>{capitalized(noun)}</h1><LiveBadge /></div>
                                <p class="alert alert-error" role="alert" data-testid="detail-error">{error_message(&err)}</p>
                            }.into_any(),
                        }
                    })
                }}
            </Transition>
        </div>
    }
}

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

/// What the head says about the entity and what (de)activating it does.
#[derive(Clone)]
pub struct HeadText {
    pub heading_test_id: &'static str,
    /// After "Deactivate Acme? ".
    pub deactivate: &'static str,
    /// After "Reactivate Acme? ".
    pub reactivate: &'static str,
    /// Shown while it is deactivated.
    pub inactive_note: &'static str,
}

/// The name with the state badge and the deactivate / reactivate button, then the id (and
/// `children`, more facts) and the creation time.
#[component]
pub fn EntityHead<O>(
    name: String,
    id: String,
    active: bool,
    created_at: i64,
    text: HeadText,
    set_active: Act<(String, bool), O>,
    #[prop(into, default = "entity-id".into())] id_test_id: String,
    /// The kind of source it is, for a link to its health.
    #[prop(optional)]
    health: Option<SourceKind>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView
where
    O: Clone + Send + Sync + 'static,
{
    let (label, question, yes) = if active {
        ("Deactivate", format!("Deactivate {name}? {}", text.deactivate), "Yes, deactivate")
    } else {
        ("Reactivate", format!("Reactivate {name}? {}", text.reactivate), "Yes, reactivate")
    };
    let health = health.map(|kind| view! { " · " <HealthLink kind id=id.clone() /> });
    let target = id.clone();
    let toggle = Callback::new(move |_| {
        set_active.dispatch((target.clone(), !active));
    });
    view! {
        <div class="page-head">
            <h1 data-testid=text.heading_test_id>{name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=active_word(active) />
                <ConfirmButton label question confirm_label=yes danger=active pending=set_active.pending() test_id="toggle-active" on_confirm=toggle />
                <LiveBadge />
            </div>
        </div>
        <p class="muted">
            "Id " <code class="id" data-testid=id_test_id>{id}</code>
            {children.map(|more| view! { " · " {more()} })}
            " · created " {date_time(created_at)} " UTC"
            {health}
        </p>
        {action_error(set_active.value())}
        {(!active).then(|| view! { <p class="alert alert-info" role="status" data-testid="inactive-note">{text.inactive_note}</p> })}
    }
}

/// The keys card: `children` say how the key is sent; rotating shows the new key once.
#[component]
pub fn KeysCard(
    #[prop(into)] title: String,
    owner_id: String,
    keys: Vec<NetworkKeyInfo>,
    now: i64,
    rotate: Act<(String, i64), String, FormError>,
    revoke: Act<(String, String), ()>,
    /// Field ids' prefix and the rotate button's text.
    id_prefix: &'static str,
    #[prop(into)] rotate_label: String,
    /// What to do with a new key, under it.
    #[prop(into)]
    new_key_note: String,
    children: Children,
) -> impl IntoView {
    // The new key is the rotate action's answer, which lives above this card: the card is drawn
    // again when the page re-reads its keys after the rotation, and the key must stay on screen
    // until it is dismissed.
    let answer = rotate.value();
    let new_key = move || answer.get().and_then(Result::ok);
    let on_rotate = {
        let id = owner_id.clone();
        Callback::new(move |seconds: i64| {
            answer.set(None);
            rotate.dispatch((id.clone(), seconds));
        })
    };
    let on_revoke = Callback::new(move |key_id: String| {
        revoke.dispatch((owner_id.clone(), key_id));
    });
    let new_title = format!("New {}", title.to_lowercase().trim_end_matches('s'));
    view! {
        <section class="card" data-testid="keys">
            <h2>{title}</h2>
            <p class="muted">{children()}</p>
            <KeyList keys now noun="key" on_revoke pending=revoke.pending() />
            {action_error(revoke.value())}
            <RotateControl id=id_prefix on_rotate pending=rotate.pending() label=rotate_label />
            {move || rotate.value().get().and_then(Result::err).map(|e| view! { <p class="field-error" role="alert">{e.to_string()}</p> })}
            {move || new_key().map(|key| view! {
                <SecretOnce title=new_title.clone() secret=key note=new_key_note.clone() on_dismiss=Callback::new(move |_| answer.set(None)) />
            })}
        </section>
    }
}

/// A card of slots — approved IPs, or a program's codes: `rows` (each with its own "remove"),
/// `empty` when there are none, the remove action's error, and the add form (`children`).
#[component]
pub fn SlotCard(
    #[prop(into)] title: String,
    #[prop(into)] intro: String,
    #[prop(into)] test_id: String,
    /// Said when there are no slots yet.
    #[prop(into)]
    empty: String,
    rows: Option<AnyView>,
    remove: Act<(String, String, String), ()>,
    children: Children,
) -> impl IntoView {
    view! {
        <section class="card" data-testid=test_id.clone()>
            <h2>{title}</h2>
            <p class="muted">{intro}</p>
            {match rows {
                Some(rows) => rows,
                None => view! { <p class="muted small" data-testid=format!("{test_id}-empty")>{empty}</p> }.into_any(),
            }}
            {action_error(remove.value())}
            {children()}
        </section>
    }
}

/// The "remove" button of one slot, asking first.
#[component]
pub fn RemoveSlot(
    owner_id: String,
    kind: String,
    code: String,
    #[prop(into)] question: String,
    remove: Act<(String, String, String), ()>,
    #[prop(into)] test_id: String,
) -> impl IntoView {
    let target = (owner_id, kind, code);
    view! {
        <ConfirmButton label="Remove" question confirm_label="Yes, remove" danger=true small=true pending=remove.pending() test_id
            on_confirm=Callback::new(move |_| { remove.dispatch(target.clone()); }) />
    }
}
