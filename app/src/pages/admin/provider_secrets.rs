//! The Secrets screen's offerwall providers: each provider's secret as a hint (never the secret),
//! the previous one while a rotation overlaps, and the way to the provider's screen, where it
//! is rotated.

use leptos::prelude::*;

use super::entity_detail::active_word;
use crate::components::StatusBadge;
use crate::domain::page::name_matches;
use crate::domain::secrets::ProviderSecretInfo;
use crate::domain::when::date_time;

/// The offerwall providers' secrets: hints only, with the previous one during a rotation. The
/// secret is the provider's own; it is changed on the provider's screen.
#[component]
pub fn ProviderSecrets(secrets: Vec<ProviderSecretInfo>, now: i64, filter: RwSignal<String>) -> impl IntoView {
    let body = if secrets.is_empty() {
        view! { <p class="empty small">"No offerwall providers yet. " <a href="/admin/providers">"Add one"</a> " with the secret it signs its postbacks with; its hint shows here."</p> }.into_any()
    } else {
        secrets
            .into_iter()
            .map(|s| {
                let previous = s.previous_hint.clone().zip(s.previous_valid_until).filter(|(_, until)| *until > now).map(|(hint, until)| {
                    view! { <p class="small"><span class="muted">"Previous "</span><code>{hint}</code><span class="muted">" works until " {date_time(until)} " UTC"</span></p> }
                });
                let href = format!("/admin/providers/{}", s.provider_id);
                view! {
                    <div class="card owner-keys" data-testid="provider-secret" data-owner=s.provider_id.clone() data-name=s.provider_name.clone()
                        hidden={
                            let name = s.provider_name.clone();
                            move || !filter.with(|f| name_matches(f, &name))
                        }>
                        <div class="card-head">
                            <h3><a href=href.clone()>{s.provider_name.clone()}</a></h3>
                            <StatusBadge status=active_word(s.active) />
                        </div>
                        <p class="small"><code data-testid="provider-secret-hint">{s.hint.clone()}</code> <span class="muted">" · changed " {date_time(s.updated_at)} " UTC"</span></p>
                        {previous}
                        <p class="small"><a href=href>"Rotate it on the provider's screen →"</a></p>
                    </div>
                }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <section data-testid="provider-secrets">
            <div class="section-head"><h2>"Offerwall provider secrets"</h2></div>
            <p class="muted">"Each provider signs its postbacks to " <code>"/api/postback/in/…"</code> " with its own secret, pasted when it was added. TapRain keeps it to check every call and shows only its first characters."</p>
            {body}
        </section>
    }
}
