//! Sign-in.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::Login;
use crate::api::error_message;
use crate::components::LiveBadge;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let error = move || login.value().get().and_then(|result| result.err()).map(|err| error_message(&err));
    view! {
        <Title text="Sign in · TapRain" />
        <main class="centered">
            <div class="card narrow">
                <div class="card-head">
                    <h1>"Sign in to TapRain"</h1>
                    <LiveBadge />
                </div>
                <p class="muted">"Admins land on the dashboard, publishers on their portal."</p>
                <ActionForm action=login attr:class="form" attr:data-testid="login-form">
                    <label for="email">"Email"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required maxlength="254" />
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024" />
                    <button type="submit" class="btn btn-primary" disabled=move || login.pending().get()>
                        {move || if login.pending().get() { "Signing in…" } else { "Sign in" }}
                    </button>
                </ActionForm>
                <Show when=move || error().is_some()>
                    <p class="alert alert-error" role="alert" data-testid="login-error">{error}</p>
                </Show>
            </div>
        </main>
    }
}
