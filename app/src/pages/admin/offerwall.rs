//! `/admin/offerwalls/:id`: one wall — the share URL and iframe embed generator (sub-IDs, the
//! end user's id or a placeholder for it, country, device, size) with a live preview of the
//! wall itself, copy buttons, and the wall's settings to edit.
//!
//! The preview frames `/o/{id}` from this origin: the admin pages allow `frame-src 'self'`
//! and the wall page allows any ancestor (`frame-ancestors *`).

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::offerwalls::{currency_summary, WallEditor};
use super::AdminPage;
use crate::api::conversions::feed_choices;
use crate::api::error_message;
use crate::api::form_error::FormError;
use crate::api::offers::{get_offerwall, set_offerwall_active, WallForm};
use crate::components::field_error::invalid;
use crate::components::{ConfirmButton, CopyButton, FieldError, LiveBadge, StatusBadge};
use crate::domain::country::parse_country;
use crate::domain::offerwall::Offerwall;
use crate::domain::share::{embed_code_sized, parse_dimension, share_link, ShareOptions};
use crate::domain::wall_language::WallLanguage;

#[component]
pub fn AdminOfferwallPage() -> impl IntoView {
    view! {
        <AdminPage title="Offerwall" current="/admin/offerwalls">
            <WallView />
        </AdminPage>
    }
}

#[component]
fn WallView() -> impl IntoView {
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    let wall = Resource::new(id, get_offerwall);
    let choices = Resource::new(|| (), |_| feed_choices());
    view! {
        <nav class="crumbs" aria-label="Breadcrumb"><a href="/admin/offerwalls">"← Offerwalls"</a></nav>
        <Transition fallback=|| view! { <p class="loading">"Loading the offerwall…"</p> }>
            {move || Suspend::new(async move {
                let publishers = choices.await.map(|c| c.publishers).unwrap_or_default();
                match wall.await {
                    Ok(w) => view! { <WallDetails wall=w publishers on_changed=Callback::new(move |_| wall.refetch()) /> }.into_any(),
                    Err(err) => view! {
                        <div class="page-head"><h1>"Offerwall"</h1></div>
                        <p class="alert alert-error" role="alert">{error_message(&err)}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn WallDetails(wall: Offerwall, publishers: Vec<crate::api::conversions::Choice>, on_changed: Callback<()>) -> impl IntoView {
    let editing = RwSignal::new(false);
    let toggle = Action::new(|(id, active): &(String, bool)| set_offerwall_active(id.clone(), *active));
    Effect::new(move |_| {
        if let Some(Ok(_)) = toggle.value().get() {
            on_changed.run(());
        }
    });
    let publisher_name =
        publishers.iter().find(|p| p.id == wall.publisher_id).map(|p| p.name.clone()).unwrap_or_else(|| wall.publisher_id.clone());
    let form = WallForm {
        publisher_id: wall.publisher_id.clone(),
        name: wall.name.clone(),
        currency_name: wall.currency_name.clone(),
        exchange_rate: wall.exchange_rate.clone(),
        rounding: wall.rounding.as_str().to_owned(),
        language: wall.language.clone(),
        title: wall.title.clone().unwrap_or_default(),
        accent_color: wall.accent_color.clone().unwrap_or_default(),
        logo_url: wall.logo_url.clone().unwrap_or_default(),
    };
    let (id, active) = (wall.id.clone(), wall.active);
    let wall_id = wall.id.clone();
    view! {
        <div class="page-head">
            <h1 data-testid="wall-title">{wall.name.clone()}</h1>
            <div class="page-actions">
                <StatusBadge status=if active { "active" } else { "inactive" } />
                <LiveBadge />
                <button type="button" class="btn btn-small" data-testid="edit-offerwall" on:click=move |_| editing.update(|e| *e = !*e)>"Edit settings"</button>
                {if active {
                    let id = id.clone();
                    view! {
                        <ConfirmButton label="Deactivate" question="Take the wall offline?" small=true confirm_label="Yes, deactivate" danger=true
                            pending=toggle.pending() test_id="deactivate" on_confirm=Callback::new(move |_| { toggle.dispatch((id.clone(), false)); }) />
                    }.into_any()
                } else {
                    let id = id.clone();
                    view! {
                        <button type="button" class="btn btn-small" data-testid="activate" on:click=move |_| { toggle.dispatch((id.clone(), true)); }>"Reactivate"</button>
                    }.into_any()
                }}
            </div>
        </div>
        <p class="muted"><span data-testid="wall-publisher-name">{publisher_name}</span> " · " {currency_summary(&wall)} " · " <code class="id">{wall.id.clone()}</code></p>
        {(!active).then(|| view! { <p class="alert alert-info" role="status">"This wall is deactivated: its URL answers “not found” until it is reactivated."</p> })}
        <Show when=move || editing.get()>
            <WallEditor id=wall_id.clone() initial=form.clone() publishers=publishers.clone()
                on_saved=Callback::new(move |_| { editing.set(false); on_changed.run(()); })
                on_cancel=Callback::new(move |_| editing.set(false)) />
        </Show>
        <Generator wall=wall.clone() />
    }
}

#[component]
fn Generator(wall: Offerwall) -> impl IntoView {
    let s1 = RwSignal::new(String::new());
    let s2 = RwSignal::new(String::new());
    let uid = RwSignal::new(String::new());
    let country = RwSignal::new(String::new());
    let device = RwSignal::new(String::new());
    let lang = RwSignal::new(String::new());
    let theme = RwSignal::new(String::new());
    let width = RwSignal::new("100%".to_string());
    let height = RwSignal::new("600".to_string());
    let options = move || ShareOptions {
        s1: s1.get(),
        s2: s2.get(),
        uid: uid.get(),
        country: country.get(),
        device: device.get(),
        lang: lang.get(),
        theme: theme.get(),
    };
    // Checked as typed: a wrong value is named at its field and left out of the code.
    let problem = Signal::derive(move || {
        let c = country.get();
        if !c.trim().is_empty() && parse_country(c.trim()).is_none() {
            return Some(FormError::field("country", "A two-letter ISO country code, e.g. US"));
        }
        if parse_dimension(&width.get()).is_none() {
            return Some(FormError::field("width", "Pixels (e.g. 400) or a percentage (e.g. 100%)"));
        }
        if parse_dimension(&height.get()).is_none() {
            return Some(FormError::field("height", "Pixels, e.g. 600"));
        }
        None
    });
    let valid_options = move || {
        let mut o = options();
        if problem.with(|p| p.as_ref().is_some_and(|p| p.for_field("country").is_some())) {
            o.country.clear();
        }
        o.country = o.country.trim().to_ascii_uppercase();
        o
    };
    let share_base = wall.share_url.clone();
    let frame_title = wall.title.clone().unwrap_or_else(|| wall.name.clone());
    let share = Signal::derive(move || share_link(&share_base, &valid_options()));
    let size = move || {
        (parse_dimension(&width.get()).unwrap_or_else(|| "100%".into()), parse_dimension(&height.get()).unwrap_or_else(|| "600".into()))
    };
    let embed = Signal::derive(move || {
        let (w, h) = size();
        embed_code_sized(&share.get(), &w, &h, &frame_title)
    });
    let preview_base = format!("/o/{}", wall.id);
    let preview = Signal::derive(move || share_link(&preview_base, &valid_options()));
    let preview_height =
        move || size().1.trim_end_matches('%').parse::<u32>().ok().filter(|_| !size().1.ends_with('%')).unwrap_or(600).min(1200);
    let text = |signal: RwSignal<String>| move |ev: leptos::ev::Event| signal.set(event_target_value(&ev));
    view! {
        <section class="card" data-testid="generator" aria-labelledby="generator-title">
            <h2 id="generator-title">"Share URL and embed code"</h2>
            <p class="muted">"Choose what the link carries; the URL, the iframe code and the preview follow as you type. Sub-IDs come back on every conversion from this link; the user id lets the publisher credit the right user."</p>
            <form class="form" novalidate on:submit=|ev| ev.prevent_default() aria-label="Share options">
                <div class="form-grid generator-grid">
                    <div>
                        <label for="gen-uid">"User id"</label>
                        <input id="gen-uid" autocomplete="off" spellcheck="false" placeholder="{user_id}" maxlength="128" data-testid="gen-uid"
                            prop:value=move || uid.get() on:input=text(uid) aria-describedby="gen-uid-help" />
                        <p class="hint" id="gen-uid-help">"A value, or a placeholder such as " <code>"{user_id}"</code> " their site fills in."</p>
                    </div>
                    <div>
                        <label for="gen-s1">"Sub1 (s1)"</label>
                        <input id="gen-s1" autocomplete="off" spellcheck="false" maxlength="128" data-testid="gen-s1" prop:value=move || s1.get() on:input=text(s1) />
                    </div>
                    <div>
                        <label for="gen-s2">"Sub2 (s2)"</label>
                        <input id="gen-s2" autocomplete="off" spellcheck="false" maxlength="128" data-testid="gen-s2" prop:value=move || s2.get() on:input=text(s2) />
                    </div>
                    <div>
                        <label for="gen-country">"Country"</label>
                        <input id="gen-country" autocomplete="off" spellcheck="false" maxlength="2" placeholder="Visitor's" data-testid="gen-country"
                            prop:value=move || country.get() on:input=text(country)
                            aria-invalid=invalid(problem, "country") aria-describedby="country-error" />
                        <FieldError error=problem field="country" />
                    </div>
                    <div>
                        <label for="gen-device">"Device"</label>
                        <select id="gen-device" data-testid="gen-device" prop:value=move || device.get() on:change=text(device)>
                            <option value="">"Visitor's browser"</option>
                            <option value="desktop">"Desktop"</option>
                            <option value="mobile">"Mobile"</option>
                        </select>
                    </div>
                    <div>
                        <label for="gen-lang">"Language"</label>
                        <select id="gen-lang" data-testid="gen-lang" prop:value=move || lang.get() on:change=text(lang) aria-describedby="gen-lang-help">
                            <option value="">"Visitor's"</option>
                            {WallLanguage::ALL.into_iter().map(|l| view! { <option value=l.code()>{l.native_name()}</option> }).collect_view()}
                        </select>
                        <p class="hint" id="gen-lang-help">"“Visitor's” follows their browser, then the wall's language."</p>
                    </div>
                    <div>
                        <label for="gen-theme">"Theme"</label>
                        <select id="gen-theme" data-testid="gen-theme" prop:value=move || theme.get() on:change=text(theme)>
                            <option value="">"Light"</option>
                            <option value="dark">"Dark"</option>
                        </select>
                    </div>
                    <div>
                        <label for="gen-width">"Width"</label>
                        <input id="gen-width" autocomplete="off" maxlength="5" data-testid="gen-width" prop:value=move || width.get() on:input=text(width)
                            aria-invalid=invalid(problem, "width") aria-describedby="width-error" />
                        <FieldError error=problem field="width" />
                    </div>
                    <div>
                        <label for="gen-height">"Height"</label>
                        <input id="gen-height" autocomplete="off" maxlength="5" data-testid="gen-height" prop:value=move || height.get() on:input=text(height)
                            aria-invalid=invalid(problem, "height") aria-describedby="height-error" />
                        <FieldError error=problem field="height" />
                    </div>
                </div>
            </form>
            <h3 class="generator-label">"Share URL"</h3>
            <div class="copy-row">
                <code class="url" data-testid="share-url">{move || share.get()}</code>
                <CopyButton value=share test_id="copy-share-url" />
            </div>
            <h3 class="generator-label">"Embed code"</h3>
            <div class="copy-row embed-row">
                <pre class="body" data-testid="embed-code" tabindex="0" aria-label="Embed code">{move || embed.get()}</pre>
                <CopyButton value=embed test_id="copy-embed-code" />
            </div>
        </section>
        <section class="card" aria-labelledby="preview-title">
            <div class="section-head">
                <h2 id="preview-title">"Preview"</h2>
                <a class="btn btn-small" href=preview target="_blank" rel="noopener" data-testid="open-wall">"Open in a new tab"</a>
            </div>
            <p class="muted small">"What a visitor sees with these options (the wall picks offers for the country and device)."</p>
            <iframe class="wall-preview" title="Offerwall preview" data-testid="wall-preview" src=preview
                height=move || preview_height().to_string()></iframe>
        </section>
    }
}
