//! Runtime settings, built by the binary from defaults, environment and flags.

use std::net::SocketAddr;

use crate::domain::quality::Thresholds;
use crate::domain::IpRule;

#[derive(Clone)]
pub struct Settings {
    /// Address to listen on.
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; other schemes are refused at start.
    pub database_url: String,
    /// Where cargo-leptos put the site (`pkg/`, CSS, public assets). `None`: the site compiled
    /// into the binary when it has one (release builds), else `target/site`.
    pub site_root: Option<String>,
    /// Public base URL used in share links (e.g. `https://taprain.example.com`).
    pub public_url: String,
    /// Production mode: refuse plain HTTP on machine endpoints, mark cookies Secure, send HSTS.
    pub require_https: bool,
    /// Peers whose `X-Forwarded-For` / `X-Forwarded-Proto` headers are believed.
    pub trusted_proxies: Vec<IpRule>,
    /// Sign out after this long without a request.
    pub session_idle_minutes: i64,
    /// Sign out this long after sign-in, whatever the activity.
    pub session_absolute_hours: i64,
    /// Sign-in attempts per client address, and per email and address, before each further
    /// attempt must wait (429 with `Retry-After`); the wait starts at 30 s and doubles.
    pub login_max_failures: u32,
    /// The longest such wait.
    pub login_lockout_seconds: u64,
    /// Largest request body accepted, in bytes.
    pub max_body_bytes: usize,
    /// Quality-check thresholds.
    pub thresholds: Thresholds,
    /// Request header in which the proxy gives the visitor's country (e.g. `CF-IPCountry`),
    /// used by offerwall pages when the embed URL has no `country`; `None` to never filter by it.
    pub country_header: Option<String>,
    /// Outbound postbacks.
    pub deliveries: DeliverySettings,
    /// Days postback log rows, unconverted clicks and delivery attempts are kept; 0 keeps them
    /// forever. Conversions, the ledger and the audit log are never pruned.
    pub retention_days: u32,
    /// Serve HTTPS directly with these PEM files (no proxy needed); re-read when they change.
    pub tls: Option<TlsFiles>,
    /// When set, `/metrics` answers only requests bearing this token.
    pub metrics_token: Option<String>,
}

/// The certificate chain and private key for direct HTTPS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    pub cert: std::path::PathBuf,
    pub key: std::path::PathBuf,
}

/// How outbound postbacks are sent.
#[derive(Debug, Clone)]
pub struct DeliverySettings {
    /// Lifts the SSRF guard: postbacks may go to loopback and private addresses.
    pub allow_private_targets: bool,
    /// Longest wait for a receiver's answer.
    pub timeout_seconds: u64,
    /// Retry schedule for publishers who do not set their own.
    pub default_max_retries: i64,
    pub default_retry_interval_seconds: i64,
    /// Requests in flight at most to one publisher (per instance), so a publisher whose server
    /// hangs holds only these slots and every other publisher's deliveries keep flowing.
    pub per_publisher: usize,
    /// Failures in a row (no answer, 5xx or 429) after which a target host is left alone…
    pub breaker_failures: u32,
    /// …for this many seconds, then probed with one delivery.
    pub breaker_cool_down_seconds: u64,
}

impl Default for DeliverySettings {
    fn default() -> Self {
        Self {
            allow_private_targets: false,
            timeout_seconds: 60,
            default_max_retries: 5,
            default_retry_interval_seconds: 6 * 3600,
            per_publisher: 32,
            breaker_failures: 5,
            breaker_cool_down_seconds: 60,
        }
    }
}

impl Settings {
    /// Settings for a development run on `listen` with `database_url`.
    pub fn development(listen: SocketAddr, database_url: String) -> Self {
        Self {
            listen,
            public_url: format!("http://{listen}"),
            database_url,
            site_root: None,
            require_https: false,
            trusted_proxies: Vec::new(),
            session_idle_minutes: 60,
            session_absolute_hours: 12,
            login_max_failures: 5,
            login_lockout_seconds: 900,
            max_body_bytes: 64 * 1024,
            thresholds: Thresholds::default(),
            country_header: Some("CF-IPCountry".into()),
            deliveries: DeliverySettings::default(),
            retention_days: 90,
            tls: None,
            metrics_token: None,
        }
    }

    /// Cookies carry `Secure` when the site is reached over HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.require_https || self.tls.is_some() || self.public_url.starts_with("https://")
    }

    /// Browsers are told to use HTTPS only (HSTS) in production mode and when serving TLS.
    pub fn send_hsts(&self) -> bool {
        self.require_https || self.tls.is_some()
    }
}

impl std::fmt::Debug for Settings {
    /// The database URL may hold a password, so only its scheme is shown.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let scheme = self.database_url.split(':').next().unwrap_or("");
        f.debug_struct("Settings")
            .field("listen", &self.listen)
            .field("database", &scheme)
            .field("site_root", &self.site_root)
            .field("public_url", &self.public_url)
            .field("require_https", &self.require_https)
            .field("trusted_proxies", &self.trusted_proxies.len())
            .field("tls", &self.tls.is_some())
            .finish_non_exhaustive()
    }
}
