//! `/portal/postback`: where a publisher tells TapRain where to send their postbacks. The URL
//! template is checked as they type (the same parser the server uses), the signing secret is
//! shown once after the first save (and after each rotation), a test postback shows the exact
//! request and answer, and their delivery log sits below with "resend failed" and its progress.

use leptos::prelude::*;

use super::PortalPage;
use crate::api::error_message;
use crate::api::postback::{
    my_deliveries, my_postback, resend_my_failed, rotate_my_postback_secret, save_my_postback, send_my_test_postback,
    PortalPostbackSettings,
};
use crate::components::delivery_log::{resent_message, DeliveryTable, Viewer};
use crate::components::{ConfirmButton, LiveBadge, SecretOnce, StatusBadge};
use crate::domain::delivery::DeliveryState;
use crate::domain::delivery_log::TestPostback;
use crate::domain::postback_template::PostbackTemplate;
use crate::domain::retry::{describe_wait, schedule, RetryBackoff};

/// The macros a template may use, for the help line.
const MACROS: &[&str] = &[
    "user_id",
    "tx_id",
    "reward",
    "payout",
    "status",
    "offer_name",
    "offer_id",
    "event_id",
    "event_name",
    "ip",
    "country_code",
    "timestamp",
    "sub1",
    "sub2",
    "signature",
];

const EXAMPLE: &str = "https://example.com/postback?user={user_id}&tx={tx_id}&reward={reward}&status={status}";

#[component]
pub fn PortalPostbackPage() -> impl IntoView {
    view! {
        <PortalPage title="Postback settings" current="/portal/postback">
            <PostbackSettings />
        </PortalPage>
    }
}

/// What is wrong with `raw` as a template, in words, if anything.
pub fn template_problem(raw: &str) -> Option<String> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Some("Enter the URL TapRain should call, e.g. ".to_string() + EXAMPLE);
    }
    PostbackTemplate::parse(raw).err().map(|e| {
        let text = e.to_string();
        let mut chars = text.chars();
        chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
    })
}

#[component]
fn PostbackSettings() -> impl IntoView {
    let settings = Resource::new(|| (), |_| my_postback());
    // Set by the first save, so the test section knows a URL exists now.
    let saved = RwSignal::new(false);
    view! {
        <div class="page-head">
            <h1>"Postback settings"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"TapRain calls your URL whenever one of your conversions is credited (" <code>"status=1"</code> ") or reversed (" <code>"status=2"</code> "), signs it so you can check it came from us, and retries when your server does not answer " <code>"1"</code> " or " <code>"OK"</code> "."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading your settings…"</p> }>
            {move || Suspend::new(async move {
                match settings.await {
                    // The test section reads the loaded settings here, inside the Suspense: read
                    // outside it, the server (still loading) and the browser (already loaded)
                    // would draw it differently and hydration would fail.
                    Ok(current) => {
                        let had_url = current.configured;
                        let configured = Signal::derive(move || had_url || saved.get());
                        view! { <SettingsForm current saved /> <TestSection configured /> }.into_any()
                    }
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
        <MyDeliveries />
    }
}

#[derive(Clone)]
struct SaveInput {
    url_template: String,
    signature: String,
    max_retries: i64,
    retry_interval_seconds: i64,
    retry_backoff: RetryBackoff,
}

/// When the retries of a failed postback happen, in words, for the hint under the schedule.
pub fn schedule_hint(backoff: RetryBackoff, minutes: i64, retries: i64) -> String {
    let waits = schedule(backoff, minutes.saturating_mul(60), retries);
    if waits.is_empty() {
        return "No retries: a failed postback is marked failed at once.".into();
    }
    let shown: Vec<String> = waits.iter().take(6).map(|w| describe_wait(*w)).collect();
    let more = if waits.len() > 6 { ", …" } else { "" };
    match backoff {
        RetryBackoff::Fixed => format!("Retried {} times, {} apart.", waits.len(), shown[0]),
        RetryBackoff::Exponential => {
            format!("Retried after {}{more}, each wait up to a fifth shorter at random.", shown.join(", "))
        }
    }
}

#[component]
fn SettingsForm(current: PortalPostbackSettings, saved: RwSignal<bool>) -> impl IntoView {
    let template = RwSignal::new(current.url_template.clone());
    let signature = RwSignal::new(current.signature.clone());
    let retries = RwSignal::new(current.max_retries.to_string());
    let minutes = RwSignal::new(((current.retry_interval_seconds + 59) / 60).to_string());
    let backoff = RwSignal::new(current.retry_backoff);
    let secret_hint = RwSignal::new(current.secret_hint.clone());
    // Only after the visitor typed: an untouched empty field is not an error yet.
    let touched = RwSignal::new(false);
    let problem = move || template.with(|t| template_problem(t));
    let retries_problem = move || match retries.with(|r| r.trim().parse::<i64>()) {
        Ok(n) if (0..=50).contains(&n) => None,
        _ => Some("Between 0 and 50 retries."),
    };
    let minutes_problem = move || match minutes.with(|m| m.trim().parse::<i64>()) {
        Ok(n) if (1..=10_080).contains(&n) => None,
        _ => Some("Between 1 minute and 7 days (10080 minutes)."),
    };
    let save = Action::new(|input: &SaveInput| {
        let input = input.clone();
        async move {
            save_my_postback(input.url_template, input.signature, input.max_retries, input.retry_interval_seconds, input.retry_backoff)
                .await
        }
    });
    let new_secret = RwSignal::new(None::<String>);
    let rotate = Action::new(|_: &()| rotate_my_postback_secret());
    Effect::new(move |_| {
        if let Some(Ok(secret)) = rotate.value().get() {
            secret_hint.set(Some(crate::api::postback::secret_hint(&secret)));
            new_secret.set(Some(secret));
        }
    });
    Effect::new(move |_| {
        if let Some(Ok(answer)) = save.value().get() {
            if answer.new_secret.is_some() {
                new_secret.set(answer.new_secret.clone());
            }
            secret_hint.set(answer.settings.secret_hint.clone());
            saved.set(true);
        }
    });
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        touched.set(true);
        if problem().is_some() || retries_problem().is_some() || minutes_problem().is_some() {
            return;
        }
        let input = SaveInput {
            url_template: template.get_untracked().trim().to_owned(),
            signature: signature.get_untracked(),
            max_retries: retries.with_untracked(|r| r.trim().parse().unwrap_or(5)),
            retry_interval_seconds: minutes.with_untracked(|m| m.trim().parse::<i64>().unwrap_or(360)) * 60,
            retry_backoff: backoff.get_untracked(),
        };
        save.dispatch(input);
    };
    let show_problem = move || if touched.get() { problem() } else { None };
    view! {
        <section class="card">
            <h2>"Postback URL"</h2>
            <form class="form" on:submit=on_submit novalidate data-testid="postback-form">
                <label for="url_template">"URL template"</label>
                <input id="url_template" name="url_template" type="url" inputmode="url" autocomplete="off" spellcheck="false"
                    placeholder=EXAMPLE maxlength="2048" data-testid="url-template"
                    prop:value=move || template.get()
                    on:input=move |ev| { touched.set(true); template.set(event_target_value(&ev)); }
                    aria-invalid=move || show_problem().is_some().to_string()
                    aria-describedby="url_template_help url_template_error" />
                <p id="url_template_error" class="field-error" role="alert" data-testid="template-error">{show_problem}</p>
                <p id="url_template_help" class="hint">
                    "Macros: "
                    {MACROS.iter().map(|m| view! { <code>{format!("{{{m}}}")}</code> " " }).collect_view()}
                    " — values are URL-encoded; a " <code>"hash"</code> " parameter is appended."
                </p>

                <div class="form-grid">
                    <div>
                        <label for="signature">"Signature"</label>
                        <select id="signature" name="signature" data-testid="signature" prop:value=move || signature.get() on:change=move |ev| signature.set(event_target_value(&ev))>
                            <option value="hmac-sha256" selected=current.signature == "hmac-sha256">"HMAC-SHA256 of the URL (recommended)"</option>
                            <option value="md5" selected=current.signature == "md5">"MD5 of user_id + tx_id + reward + secret (legacy)"</option>
                            <option value="standard-webhooks" selected=current.signature == "standard-webhooks">"Standard Webhooks headers"</option>
                        </select>
                    </div>
                    <div>
                        <label for="max_retries">"Retries"</label>
                        <input id="max_retries" name="max_retries" type="number" min="0" max="50" inputmode="numeric" data-testid="max-retries"
                            prop:value=move || retries.get() on:input=move |ev| retries.set(event_target_value(&ev))
                            aria-invalid=move || retries_problem().is_some().to_string() />
                        <p class="field-error">{retries_problem}</p>
                    </div>
                    <div>
                        <label for="retry_backoff">"Retry schedule"</label>
                        <select id="retry_backoff" name="retry_backoff" data-testid="retry-backoff"
                            prop:value=move || backoff.get().as_str()
                            on:change=move |ev| backoff.set(RetryBackoff::parse(&event_target_value(&ev)).unwrap_or_default())>
                            <option value="fixed" selected=current.retry_backoff == RetryBackoff::Fixed>"Fixed: the same wait every time"</option>
                            <option value="exponential" selected=current.retry_backoff == RetryBackoff::Exponential>"Exponential: each wait twice the last"</option>
                        </select>
                    </div>
                    <div>
                        <label for="retry_minutes">
                            {move || match backoff.get() {
                                RetryBackoff::Fixed => "Minutes between retries",
                                RetryBackoff::Exponential => "Minutes before the first retry",
                            }}
                        </label>
                        <input id="retry_minutes" name="retry_minutes" type="number" min="1" max="10080" inputmode="numeric" data-testid="retry-minutes"
                            prop:value=move || minutes.get() on:input=move |ev| minutes.set(event_target_value(&ev))
                            aria-invalid=move || minutes_problem().is_some().to_string() aria-describedby="retry_schedule" />
                        <p class="field-error">{minutes_problem}</p>
                    </div>
                </div>
                <p id="retry_schedule" class="hint" data-testid="retry-schedule">
                    {move || {
                        let minutes = minutes.with(|m| m.trim().parse::<i64>().ok()).filter(|m| (1..=10_080).contains(m));
                        let retries = retries.with(|r| r.trim().parse::<i64>().ok()).filter(|r| (0..=50).contains(r));
                        match (minutes, retries) {
                            (Some(minutes), Some(retries)) => schedule_hint(backoff.get(), minutes, retries),
                            _ => String::new(),
                        }
                    }}
                </p>

                <div class="button-row">
                    <button type="submit" class="btn btn-primary btn-inline" data-testid="save-postback"
                        disabled=move || save.pending().get() || (touched.get() && problem().is_some())>
                        {move || if save.pending().get() { "Saving…" } else { "Save settings" }}
                    </button>
                    <span class="muted small" data-testid="secret-hint">
                        {move || secret_hint.get().map(|hint| format!("Signing secret: {hint}")).unwrap_or_else(|| "A signing secret is created when you first save.".into())}
                    </span>
                    {move || secret_hint.get().is_some().then(|| view! {
                        <ConfirmButton label="Rotate secret" small=true test_id="rotate-secret"
                            question="Replace your signing secret? Postbacks are signed with the new one from now on: update your server first so it accepts both while you switch."
                            confirm_label="Yes, rotate" pending=rotate.pending() on_confirm=Callback::new(move |_| { rotate.dispatch(()); }) />
                    })}
                </div>
                {move || rotate.value().get().and_then(Result::err).map(|err| view! {
                    <p class="alert alert-error" role="alert" data-testid="rotate-result">{error_message(&err)}</p>
                })}
                {move || save.value().get().map(|result| match result {
                    Ok(_) => view! { <p class="alert alert-success" role="status" data-testid="save-result">"Saved. New conversions are sent to this URL."</p> }.into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="save-result">{error_message(&err)}</p> }.into_any(),
                })}
            </form>
            {move || new_secret.get().map(|secret| view! {
                <div data-testid="new-secret">
                    <SecretOnce title="Your signing secret" secret
                        note="Keep it on your server and use it to check the hash of every postback."
                        on_dismiss=Callback::new(move |_| new_secret.set(None)) />
                </div>
            })}
        </section>
    }
}

#[component]
fn TestSection(#[prop(into)] configured: Signal<bool>) -> impl IntoView {
    let test = Action::new(|_: &()| send_my_test_postback());
    view! {
        <section class="card">
            <div class="card-head">
                <h2>"Test postback"</h2>
                <button type="button" class="btn" data-testid="send-test" disabled=move || !configured.get() || test.pending().get()
                    on:click=move |_| { test.dispatch(()); }>
                    {move || if test.pending().get() { "Sending…" } else { "Send test postback" }}
                </button>
            </div>
            <p class="muted">"Sends a credit with sample values to your URL, signed with your secret, and shows exactly what was sent and what your server answered. Nothing is credited."</p>
            {move || (!configured.get()).then(|| view! { <p class="muted small">"Save a URL first."</p> })}
            {move || test.value().get().map(|result| match result {
                Ok(answer) => view! { <TestResult answer /> }.into_any(),
                Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="test-result">{error_message(&err)}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn TestResult(answer: TestPostback) -> impl IntoView {
    let verdict = if answer.delivered { "Delivered: your server accepted it." } else { "Not delivered: this answer would be retried." };
    view! {
        <div class="test-result" data-testid="test-result">
            <p class=if answer.delivered { "alert alert-success" } else { "alert alert-error" } data-testid="test-verdict">
                <StatusBadge status=answer.outcome.clone() /> " " {verdict}
            </p>
            <dl class="fields">
                <div class="field-row wide"><dt>"Request"</dt><dd><code class="url" data-testid="test-url">{answer.method} " " {answer.url}</code></dd></div>
                {(!answer.headers.is_empty()).then(|| view! {
                    <div class="field-row wide"><dt>"Headers"</dt><dd><pre class="body" tabindex="0">{answer.headers.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n")}</pre></dd></div>
                })}
                <div class="field-row"><dt>"Status"</dt><dd data-testid="test-status">{answer.status_code.map(|s| s.to_string()).unwrap_or_else(|| "no answer".into())}</dd></div>
                <div class="field-row"><dt>"Time"</dt><dd>{answer.latency_ms} " ms"</dd></div>
                {answer.error.map(|e| view! { <div class="field-row wide"><dt>"Error"</dt><dd class="field-error">{e}</dd></div> })}
                <div class="field-row wide"><dt>"Answer body"</dt><dd><pre class="body" data-testid="test-body" tabindex="0">{if answer.body.is_empty() { "(empty)".to_string() } else { answer.body }}</pre></dd></div>
            </dl>
        </div>
    }
}

#[component]
fn MyDeliveries() -> impl IntoView {
    let status = RwSignal::new(String::new());
    let listing = Resource::new(move || status.get(), my_deliveries);
    let resend = Action::new(|_: &()| resend_my_failed());
    // After a resend: how many of this publisher's deliveries are still due or in flight, checked
    // every second until none are (or a minute has passed), so the page shows the resend progress.
    let waiting = Action::new(|_: &()| async { my_deliveries(String::new()).await.map(|rows| waiting_now(&rows)) });
    let progress = RwSignal::new(None::<ResendProgress>);
    Effect::new(move |_| {
        if let Some(Ok(count)) = resend.value().get() {
            listing.refetch();
            if count > 0 {
                progress.set(Some(ResendProgress { resent: count, waiting: None, checks: 0 }));
                waiting.dispatch(());
            }
        }
    });
    Effect::new(move |_| {
        let Some(Ok(now_waiting)) = waiting.value().get() else { return };
        let Some(mut current) = progress.get_untracked() else { return };
        current.waiting = Some(now_waiting);
        current.checks += 1;
        progress.set(Some(current));
        listing.refetch();
        if now_waiting > 0 && current.checks < 60 {
            set_timeout(
                move || {
                    waiting.dispatch(());
                },
                std::time::Duration::from_secs(1),
            );
        }
    });
    view! {
        <section>
            <div class="section-head">
                <h2>"Delivery log"</h2>
                <div class="page-actions">
                    <label class="field inline-field">
                        <span>"Status"</span>
                        <select data-testid="my-filter-status" prop:value=move || status.get() on:change=move |ev| status.set(event_target_value(&ev))>
                            <option value="">"Any"</option>
                            {DeliveryState::ALL.into_iter().map(|s| view! { <option value=s.as_str()>{s.as_str()}</option> }).collect_view()}
                        </select>
                    </label>
                    <button type="button" class="btn" data-testid="resend-my-failed" disabled=move || resend.pending().get()
                        on:click=move |_| { resend.dispatch(()); }>
                        {move || if resend.pending().get() { "Resending…" } else { "Resend failed" }}
                    </button>
                </div>
            </div>
            {move || progress.get().map(|p| view! { <p class="alert alert-info" role="status" data-testid="resend-progress">{p.describe()}</p> })}
            {move || resend.value().get().map(|result| match result {
                Ok(count) => view! { <p class="alert alert-success" role="status" data-testid="resend-my-result">{resent_message(count)}</p> }.into_any(),
                Err(err) => view! { <p class="alert alert-error" role="alert" data-testid="resend-my-result">{error_message(&err)}</p> }.into_any(),
            })}
            <Transition fallback=|| view! { <p class="loading">"Loading deliveries…"</p> }>
                {move || Suspend::new(async move {
                    match listing.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <div class="empty" data-testid="my-deliveries-empty">
                                <h2>"No postbacks sent yet"</h2>
                                <p>"Once your URL is saved, each credited or reversed conversion is sent and listed here with every attempt. Use “Send test postback” to try your server now."</p>
                            </div>
                        }.into_any(),
                        Ok(rows) => view! { <DeliveryTable rows viewer=Viewer::Publisher on_changed=Callback::new(move |_| listing.refetch()) /> }.into_any(),
                        Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_retry_schedule_in_words() {
        assert_eq!(schedule_hint(RetryBackoff::Fixed, 360, 5), "Retried 5 times, 6 h apart.");
        assert_eq!(
            schedule_hint(RetryBackoff::Exponential, 1, 8),
            "Retried after 1 min, 2 min, 4 min, 8 min, 16 min, 32 min, …, each wait up to a fifth shorter at random."
        );
        assert!(schedule_hint(RetryBackoff::Exponential, 60, 0).starts_with("No retries"));
    }

    #[test]
    fn names_the_unknown_macro_and_accepts_a_good_template() {
        assert_eq!(template_problem("https://x.test/?a={bogus}").as_deref(), Some("Unknown macro {bogus}"));
        assert_eq!(template_problem(EXAMPLE), None);
        assert!(template_problem("  ").is_some());
        assert!(template_problem("ftp://x.test/").is_some());
    }
}

/// Deliveries in flight or queued for an immediate attempt (a resend sets the next attempt to the
/// moment it was queued; a failed attempt moves it later): what a resend is still waiting for.
fn waiting_now(rows: &[crate::domain::delivery_log::Delivery]) -> usize {
    rows.iter().filter(|d| d.status == "sending" || (d.status == "pending" && d.next_attempt_at <= d.updated_at)).count()
}

/// The progress of a "resend failed": how many were queued again and how many still wait.
#[derive(Debug, Clone, Copy, PartialEq)]
struct ResendProgress {
    resent: u64,
    waiting: Option<usize>,
    checks: u32,
}

impl ResendProgress {
    fn describe(&self) -> String {
        match self.waiting {
            None => format!("Sending {} again…", self.resent),
            Some(0) => format!("Done: all {} were sent again; each result is in the log below.", self.resent),
            Some(w) if self.checks >= 60 => format!("{w} still waiting after a minute; the log below keeps their state."),
            Some(w) => format!("Sending {} again: {} sent, {w} still waiting…", self.resent, (self.resent as usize).saturating_sub(w)),
        }
    }
}

#[cfg(test)]
mod progress_tests {
    use super::*;

    #[test]
    fn resend_progress_is_described() {
        let mut p = ResendProgress { resent: 3, waiting: None, checks: 0 };
        assert_eq!(p.describe(), "Sending 3 again…");
        p.waiting = Some(1);
        p.checks = 2;
        assert_eq!(p.describe(), "Sending 3 again: 2 sent, 1 still waiting…");
        p.waiting = Some(0);
        assert!(p.describe().starts_with("Done: all 3"));
        p.waiting = Some(2);
        p.checks = 60;
        assert!(p.describe().starts_with("2 still waiting after a minute"));
    }
}
