//! `Application::build`: database, state, and the router — Leptos pages, machine APIs,
//! operations endpoints — wrapped in the shared layers.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use app::server::auth::LoginThrottle;
use app::server::db::Db;
use app::server::deliveries::{self, DeliveryWake, Sender, SenderConfig};
use app::server::ingest::writer::Env;
use app::server::ingest::{self, Directory};
use app::server::metrics::ServerMetrics;
use app::server::offerwall::OfferwallCache;
use app::server::session_store::DbSessionStore;
use app::server::settings::Settings;
use app::server::state::Parts;
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
use crate::site::{self, SiteFiles};
use crate::{admin_api, api_docs, ingest as doors, offerwall, ops, portal};

pub struct Application {
    listener: TcpListener,
    router: Router,
    address: SocketAddr,
    /// Direct HTTPS, when configured.
    tls: Option<axum_server::tls_rustls::RustlsConfig>,
}

impl Application {
    /// Connects and migrates the database, binds the listener (port 0 picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let tls = match &settings.tls {
            Some(files) => {
                let config = crate::tls::load(files).await?;
                crate::tls::spawn_reloader(files.clone(), config.clone());
                Some(config)
            }
            None => None,
        };
        let db = Db::connect(&settings.database_url).await?;
        db.migrate().await?;
        db.spawn_checkpointer();
        let listener = TcpListener::bind(settings.listen).await?;
        let address = listener.local_addr()?;
        let leptos_options = LeptosOptions::builder()
            .output_name("taprain")
            .site_root(SiteFiles::choose(settings.site_root.as_deref()).leptos_root())
            .site_pkg_dir("pkg")
            .site_addr(address)
            .build();
        // About one argon2 check per core at a time: each needs ~19 MiB and a whole core.
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let throttle = LoginThrottle::new(settings.login_max_failures, Duration::from_secs(settings.login_lockout_seconds), cores);
        // Live-feed events and cache changes reach every instance on the same PostgreSQL.
        let events = app::server::fanout::start(&db, &settings.database_url).await?;
        let timeout = Duration::from_secs(settings.deliveries.timeout_seconds);
        let sender = Sender::new(SenderConfig { timeout, allow_private_targets: settings.deliveries.allow_private_targets })?;
        let deliveries = DeliveryWake::default();
        let metrics = Arc::new(ServerMetrics::default());
        let env = Env {
            thresholds: settings.thresholds.clone(),
            events: events.clone(),
            deliveries: deliveries.clone(),
            metrics: metrics.clone(),
        };
        let writer = ingest::start::writer(&db, &settings.database_url, env).await?;
        let worker = deliveries::worker::WorkerConfig::from_settings(&settings.deliveries);
        deliveries::worker::spawn(db.clone(), writer.clone(), sender.clone(), worker, deliveries.clone(), metrics.clone());
        let state = AppState::new(Parts {
            leptos_options,
            db: db.clone(),
            settings: Arc::new(settings),
            throttle: Arc::new(throttle),
            writer,
            events,
            directory: Directory::default(),
            sender,
            deliveries,
            offerwalls: OfferwallCache::default(),
            metrics,
        });
        spawn_session_cleanup(DbSessionStore::new(db.clone()));
        app::server::retention::spawn(db, state.settings.retention_days);
        let router = router(state);
        Ok(Self { listener, router, address, tls })
    }

    pub fn address(&self) -> SocketAddr {
        self.address
    }

    pub fn port(&self) -> u16 {
        self.address.port()
    }

    /// Whether this server speaks HTTPS itself.
    pub fn serves_tls(&self) -> bool {
        self.tls.is_some()
    }

    /// Serves until Ctrl-C or SIGTERM.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let Some(tls) = self.tls else {
            return axum::serve(self.listener, service).with_graceful_shutdown(shutdown_signal()).await;
        };
        let handle = axum_server::Handle::new();
        tokio::spawn({
            let handle = handle.clone();
            async move {
                shutdown_signal().await;
                handle.graceful_shutdown(Some(Duration::from_secs(30)));
            }
        });
        axum_server::from_tcp_rustls(self.listener.into_std()?, tls)?.handle(handle).serve(service).await
    }
}

fn router(state: AppState) -> Router {
    let settings = state.settings.clone();
    let metrics = Arc::new(Metrics::new(&state.metrics, settings.metrics_token.clone()));
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
        .fallback(site::fallback)
        .layer(axum::middleware::from_fn_with_state(state.clone(), middleware::page_guard::redirect_visitors));

    let ops = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz))
        .route("/metrics", get(ops::metrics))
        .route("/api/openapi.json", get(admin_api::openapi::document))
        .route("/api/docs", get(api_docs::page));

    let router = Router::new()
        .merge(ops)
        .nest("/api/admin", admin_api::router())
        .merge(doors::router())
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
