//! `/portal/offerwalls`: the publisher's offerwalls with their share URL and iframe embed code,
//! each with a copy button, and how to add sub-IDs.

use leptos::prelude::*;

use super::PortalPage;
use crate::api::error_message;
use crate::api::portal::portal_offerwalls;
use crate::components::{CopyButton, LiveBadge, StatusBadge};
use crate::domain::offerwall::Offerwall;

#[component]
pub fn PortalOfferwallsPage() -> impl IntoView {
    view! {
        <PortalPage title="Offerwalls" current="/portal/offerwalls">
            <Offerwalls />
        </PortalPage>
    }
}

#[component]
fn Offerwalls() -> impl IntoView {
    let walls = Resource::new(|| (), |_| portal_offerwalls());
    view! {
        <div class="page-head">
            <h1>"Offerwalls"</h1>
            <LiveBadge />
        </div>
        <p class="muted">"Send users to the share URL or paste the embed code into your page. Add " <code>"s1"</code> " and " <code>"s2"</code>
            " (your sub-IDs, e.g. placement and campaign), " <code>"uid"</code> " (your user's id, returned in your postbacks), "
            <code>"country"</code> " or " <code>"device"</code> " as query parameters; they come back in reports and postbacks."</p>
        <Suspense fallback=|| view! { <p class="loading">"Loading offerwalls…"</p> }>
            {move || Suspend::new(async move {
                match walls.await {
                    Ok(walls) if walls.is_empty() => view! {
                        <div class="empty" data-testid="offerwalls-empty">
                            <h2>"No offerwalls yet"</h2>
                            <p>"Ask your TapRain contact to create an offerwall for you; it appears here with its share URL and embed code."</p>
                        </div>
                    }.into_any(),
                    Ok(walls) => walls.into_iter().map(|wall| view! { <WallCard wall /> }).collect_view().into_any(),
                    Err(err) => view! { <p class="alert alert-error" role="alert">{error_message(&err)}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}

#[component]
fn WallCard(wall: Offerwall) -> impl IntoView {
    let example = format!("{}?s1=homepage&s2=banner&uid=USER_ID", wall.share_url);
    let rate = format!("{} {} per USD", wall.exchange_rate, wall.currency_name);
    view! {
        <section class="card wall" data-testid="offerwall-card" data-id=wall.id.clone()>
            <div class="card-head">
                <h2>{wall.name.clone()}</h2>
                <StatusBadge status=if wall.active { "active" } else { "inactive" } />
            </div>
            <p class="muted small"><code>{wall.id.clone()}</code> " · " {rate}</p>
            <div class="wall-fields">
                <label class="field-block">
                    <span>"Share URL"</span>
                    <div class="copy-row">
                        <code class="url" data-testid="share-url">{wall.share_url.clone()}</code>
                        <CopyButton value=wall.share_url.clone() test_id="copy-share-url" />
                    </div>
                </label>
                <div class="field-block">
                    <span>"Embed code"</span>
                    <div class="copy-row copy-row-top">
                        <pre class="embed" data-testid="embed-code" tabindex="0" aria-label="Embed code">{wall.embed_code.clone()}</pre>
                        <CopyButton value=wall.embed_code.clone() test_id="copy-embed-code" />
                    </div>
                </div>
                <p class="hint">"With sub-IDs: " <code data-testid="share-example">{example}</code>
                    " · " <a href=wall.share_url.clone() target="_blank" rel="noopener">"Open the offerwall ↗"</a></p>
            </div>
        </section>
    }
}
