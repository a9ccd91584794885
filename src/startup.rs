//! `Application::build`: database, state, and the router — Leptos pages, machine APIs,
//! operations endpoints — wrapped in the shared layers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::server::auth::LoginThrottle;
use app::server::db::Db;
use app::server::deliveries::{self, DeliveryWake, Sender, SenderConfig};
use app::server::offerwall::OfferwallCache;
use app::server::postback::{Directory, EventBus, PostbackWriter};
use app::server::session_store::DbSessionStore;
use app::server::settings::Settings;
use app::server::AppState;
use app::{shell, App};
use axum::extract::DefaultBodyLimit;
use axum::routing::get;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tokio::net::TcpListener;
use tower_http::limit::RequestBodyLimitLayer;
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::middleware::{self, metrics::Metrics};
use crate::{admin_api, offerwall, ops, portal, postback};

pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
}

impl Application {
    /// Connects and migrates the database, binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        db.spawn_checkpointer();
        let listener = TcpListener::bind(settings.listen).await?;
        let address = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("taprain")
            .site_root(settings.site_root.as_str())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        let throttle = LoginThrottle::new(settings.login_max_failures, Duration::from_secs(settings.login_lockout_seconds));
        let events = EventBus::new();
        let timeout = Duration::from_secs(settings.deliveries.timeout_seconds);
        let sender = Sender::new(SenderConfig { timeout, allow_private_targets: settings.deliveries.allow_private_targets })?;
        let deliveries = DeliveryWake::default();
        let postbacks = PostbackWriter::spawn(db.clone(), settings.thresholds.clone(), events.clone(), deliveries.clone());
        deliveries::worker::spawn(db.clone(), postbacks.clone(), sender.clone(), timeout, deliveries.clone());
        let state = AppState {
            leptos_options,
            db: db.clone(),
            settings: Arc::new(settings),
            throttle: Arc::new(throttle),
            postbacks,
            events,
            directory: Directory::default(),
            sender,
            deliveries,
            offerwalls: OfferwallCache::default(),
        };
        spawn_session_cleanup(DbSessionStore::new(db));
        let router = router(state);
        Ok(Self { listener, router, address })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await
    }
}

fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let metrics = Arc::new(Metrics::new());
    let routes = generate_route_list(App);
    let sessions = SessionManagerLayer::new(DbSessionStore::new(state.db.clone()))
        .with_name("taprain_session")
        .with_secure(settings.secure_cookies())
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(time::Duration::minutes(settings.session_idle_minutes)));

    let pages = Router::new()
        .leptos_routes_with_context(&state, routes, leptos::nonce::provide_nonce, {
            let options = state.leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<AppState, _>(leptos::nonce::provide_nonce, shell))
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::page_guard::redirect_visitors));

    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/openapi.json", get(admin_api::openapi::document));

    let router = Router::new()
        .merge(ops)
        .nest("/api/admin", admin_api::router())
        .merge(postback::router())
        .merge(offerwall::router())
        .merge(portal::router())
        .merge(pages)
        .layer(sessions)
        .layer(axum::middleware::from_fn(middleware::csrf::refuse_cross_site))
        .layer(axum::middleware::from_fn_with_state(settings.clone(), middleware::security_headers::add))
        .layer(DefaultBodyLimit::max(settings.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(settings.max_body_bytes))
        .layer(axum::middleware::from_fn(middleware::limits::refuse_long_uris))
        .layer(axum::middleware::from_fn_with_state(metrics.clone(), middleware::metrics::track))
        .layer(axum::Extension(metrics))
        .with_state(state);
    middleware::request_id::apply(router)
}

/// Expired sessions are deleted every ten minutes.
fn spawn_session_cleanup(store: DbSessionStore) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            if let Err(err) = store.delete_expired().await {
                tracing::warn!(error = %err, "deleting expired sessions failed");
            }
        }
    });
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = terminate => {},
    }
    tracing::info!("shutting down");
}
