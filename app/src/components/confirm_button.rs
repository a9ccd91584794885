//! A button for a destructive or weighty action that asks first: the first click opens an inline
//! question with "Yes" and "Cancel"; only "Yes" runs the action. Escape (or "Cancel") closes the
//! question and puts the keyboard back on the button.

use leptos::prelude::*;

#[component]
pub fn ConfirmButton(
    /// The button's text, e.g. "Revoke".
    #[prop(into)]
    label: String,
    /// The question shown before acting, e.g. "Revoke key trk_1234…? It stops working at once."
    #[prop(into)]
    question: String,
    /// The confirming button's text, e.g. "Yes, revoke".
    #[prop(into)]
    confirm_label: String,
    /// Runs when the admin confirms.
    #[prop(into)]
    on_confirm: Callback<()>,
    /// True while the action runs (disables both buttons).
    #[prop(into, optional)]
    pending: Signal<bool>,
    /// Red buttons for destructive actions.
    #[prop(optional)]
    danger: bool,
    /// The filled accent style, for the action the screen is for (e.g. approving).
    #[prop(optional)]
    primary: bool,
    #[prop(optional)] small: bool,
    #[prop(into, optional)] test_id: String,
) -> impl IntoView {
    let open = RwSignal::new(false);
    let trigger = NodeRef::<leptos::html::Button>::new();
    let yes = NodeRef::<leptos::html::Button>::new();
    // `autofocus` works only at page load: put the keyboard on "Yes" once the question is shown.
    Effect::new(move |_| {
        if open.get() {
            #[cfg(feature = "hydrate")]
            if let Some(button) = yes.get() {
                let _ = button.focus();
            }
        }
    });
    let close = move || {
        open.set(false);
        #[cfg(feature = "hydrate")]
        if let Some(button) = trigger.get_untracked() {
            let _ = button.focus();
        }
    };
    let class = match (danger, primary, small) {
        (true, _, true) => "btn btn-danger btn-small",
        (true, _, false) => "btn btn-danger",
        (false, true, true) => "btn btn-primary btn-small",
        (false, true, false) => "btn btn-primary",
        (false, false, true) => "btn btn-small",
        (false, false, false) => "btn",
    };
    let yes_class = if danger { "btn btn-danger" } else { "btn btn-primary" };
    view! {
        // Escape anywhere in it (the button or the question) closes the question.
        <span class="confirm-wrap" on:keydown=move |ev| if ev.key() == "Escape" && open.get_untracked() { ev.prevent_default(); close(); }>
            <button node_ref=trigger type="button" class=class data-testid=test_id aria-expanded=move || open.get().to_string()
                disabled=move || pending.get() on:click=move |_| open.update(|o| *o = !*o)>
                {label}
            </button>
            {move || open.get().then(|| {
                let question = question.clone();
                let confirm_label = confirm_label.clone();
                view! {
                    <div class="confirm" role="alertdialog" aria-label=question.clone() data-testid="confirm">
                        <p><strong>{question.clone()}</strong></p>
                        <div class="button-row">
                            <button node_ref=yes type="button" class=yes_class data-testid="confirm-yes" disabled=move || pending.get()
                                on:click=move |_| { on_confirm.run(()); open.set(false); }>
                                {confirm_label}
                            </button>
                            <button type="button" class="btn" data-testid="confirm-cancel" on:click=move |_| close()>"Cancel"</button>
                        </div>
                    </div>
                }
            })}
        </span>
    }
}
