use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(options) = use_context::<leptos_axum::ResponseOptions>() {
        options.set_status(http::StatusCode::NOT_FOUND);
    }
    view! {
        <main class="centered">
            <div class="card narrow">
                <h1>"Page not found"</h1>
                <p class="muted">"The page you asked for does not exist or has moved."</p>
                <a class="btn" href="/">"Go to the start page"</a>
            </div>
        </main>
    }
}
