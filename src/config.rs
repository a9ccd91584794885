//! Command line and settings. Every setting is a flag and a `TAPRAIN_*` (or `DATABASE_URL`)
//! environment variable; flags win over the environment, which wins over the defaults.

use std::net::SocketAddr;

use anyhow::Context;
use app::domain::IpRule;
use app::server::settings::Settings;
use clap::{Args, Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "taprain", version, about = "TapRain: postback hub, offerwall and reward ledger")]
pub struct Cli {
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the web app and the machine APIs (the default).
    Serve,
    /// Apply database migrations and exit.
    Migrate,
    /// Manage admin accounts.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Check the ledger.
    #[command(subcommand)]
    Ledger(LedgerCommand),
    /// Print the OpenAPI document (the one served at /api/openapi.json) and exit.
    Openapi,
    /// Copy the SQLite database while the server runs (VACUUM INTO), then check the copy (its
    /// pages and `ledger verify`). PostgreSQL: use pg_dump (docs/operations.md).
    Backup {
        /// The new file to write; refused when it exists.
        #[arg(long)]
        to: std::path::PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create an admin. Password from TAPRAIN_ADMIN_PASSWORD, else asked for at the prompt.
    Create {
        #[arg(long)]
        email: String,
    },
    /// Print a new admin API token for an admin (shown once; stored hashed).
    Token {
        #[arg(long)]
        email: String,
    },
    /// List admin API tokens (id, owner, hint, created, last used, revoked); all, or one admin's.
    Tokens {
        #[arg(long)]
        email: Option<String>,
    },
    /// Revoke an admin API token by id: it is refused from its next call.
    RevokeToken {
        /// The token's id (`tok_…`), as `taprain admin tokens` lists it.
        id: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum LedgerCommand {
    /// Recompute every balance from the ledger entries; exit non-zero on any mismatch.
    Verify,
}

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Address to listen on.
    #[arg(long, env = "TAPRAIN_LISTEN", default_value = "127.0.0.1:3000", global = true)]
    pub listen: SocketAddr,
    /// Database: sqlite://path or postgres://user:pass@host/db. Default: SQLite under ./data.
    #[arg(long, env = "DATABASE_URL", default_value = "sqlite://data/taprain.db", global = true, hide_env_values = true)]
    pub database_url: String,
    /// Directory with the built site (cargo-leptos output: pkg/, CSS, assets). Default: the site
    /// compiled into the binary (release builds), else target/site.
    #[arg(long, env = "TAPRAIN_SITE_ROOT", global = true)]
    pub site_root: Option<String>,
    /// Public base URL used in share links and cookies (default: http://<listen>).
    #[arg(long, env = "TAPRAIN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,
    /// Production mode: machine endpoints refuse plain HTTP (403), cookies are Secure, HSTS is sent.
    #[arg(long, env = "TAPRAIN_REQUIRE_HTTPS", default_value_t = false, global = true)]
    pub require_https: bool,
    /// Serve HTTPS (HTTP/2 and HTTP/1.1) directly with this PEM certificate chain; needs --tls-key.
    /// Renewed files are picked up without a restart.
    #[arg(long, env = "TAPRAIN_TLS_CERT", global = true, requires = "tls_key")]
    pub tls_cert: Option<std::path::PathBuf>,
    /// The PEM private key for --tls-cert.
    #[arg(long, env = "TAPRAIN_TLS_KEY", global = true, requires = "tls_cert")]
    pub tls_key: Option<std::path::PathBuf>,
    /// Comma-separated proxies (IPs or CIDRs) whose X-Forwarded-For/-Proto headers are trusted.
    #[arg(long, env = "TAPRAIN_TRUSTED_PROXIES", value_delimiter = ',', global = true)]
    pub trusted_proxies: Vec<String>,
    /// Minutes without activity after which a session ends.
    #[arg(long, env = "TAPRAIN_SESSION_IDLE_MINUTES", default_value_t = 60, global = true)]
    pub session_idle_minutes: i64,
    /// Hours after sign-in after which a session ends regardless of activity.
    #[arg(long, env = "TAPRAIN_SESSION_ABSOLUTE_HOURS", default_value_t = 12, global = true)]
    pub session_absolute_hours: i64,
    /// Failed sign-ins per client address, and per email and address, before each further one
    /// must wait (30 s, doubling with every failure).
    #[arg(long, env = "TAPRAIN_LOGIN_MAX_FAILURES", default_value_t = 5, global = true)]
    pub login_max_failures: u32,
    /// The longest wait between sign-in attempts after too many failures, in seconds.
    #[arg(long, env = "TAPRAIN_LOGIN_LOCKOUT_SECONDS", default_value_t = 900, global = true)]
    pub login_lockout_seconds: u64,
    /// Largest request body accepted, in bytes.
    #[arg(long, env = "TAPRAIN_MAX_BODY_BYTES", default_value_t = 65_536, global = true)]
    pub max_body_bytes: usize,
    /// Quality: window (seconds) in which conversions from one end-user IP are counted.
    #[arg(long, env = "TAPRAIN_QUALITY_IP_WINDOW_SECONDS", default_value_t = 3600, global = true)]
    pub quality_ip_window_seconds: i64,
    /// Quality: hold a conversion when this many from the same end-user IP are already in the window.
    #[arg(long, env = "TAPRAIN_QUALITY_IP_REPEAT_MAX", default_value_t = 5, global = true)]
    pub quality_ip_repeat_max: i64,
    /// Quality: hold any conversion above this amount (cents).
    #[arg(long, env = "TAPRAIN_QUALITY_AMOUNT_CEILING_CENTS", default_value_t = 50_000, global = true)]
    pub quality_amount_ceiling_cents: i64,
    /// Quality: hold when the amount exceeds this multiple of the offer's usual payout.
    #[arg(long, env = "TAPRAIN_QUALITY_USUAL_PAYOUT_MULTIPLE", default_value_t = 10, global = true)]
    pub quality_usual_payout_multiple: i64,
    /// Outbound postbacks may go to loopback and private addresses (tests, private deployments).
    #[arg(long, env = "TAPRAIN_ALLOW_PRIVATE_POSTBACK_TARGETS", default_value_t = false, global = true)]
    pub allow_private_postback_targets: bool,
    /// Seconds to wait for a publisher's answer to an outbound postback.
    #[arg(long, env = "TAPRAIN_POSTBACK_TIMEOUT_SECONDS", default_value_t = 60, global = true)]
    pub postback_timeout_seconds: u64,
    /// Retries of a failed outbound postback, for publishers who do not set their own.
    #[arg(long, env = "TAPRAIN_POSTBACK_MAX_RETRIES", default_value_t = 5, global = true)]
    pub postback_max_retries: i64,
    /// Seconds between retries of a failed outbound postback, for publishers who do not set their own.
    #[arg(long, env = "TAPRAIN_POSTBACK_RETRY_INTERVAL_SECONDS", default_value_t = 21_600, global = true)]
    pub postback_retry_interval_seconds: i64,
    /// Outbound postbacks in flight at most to one publisher (per instance; of 256 in all), so a
    /// publisher whose server hangs cannot hold up the others.
    #[arg(long, env = "TAPRAIN_DELIVERIES_PER_PUBLISHER", default_value_t = 32, global = true)]
    pub deliveries_per_publisher: usize,
    /// Failed outbound postbacks in a row (no answer, 5xx or 429) after which their target host is
    /// left alone for TAPRAIN_POSTBACK_BREAKER_SECONDS, then probed with one.
    #[arg(long, env = "TAPRAIN_POSTBACK_BREAKER_FAILURES", default_value_t = 5, global = true)]
    pub postback_breaker_failures: u32,
    /// Seconds a failing target host is left alone before one probe.
    #[arg(long, env = "TAPRAIN_POSTBACK_BREAKER_SECONDS", default_value_t = 60, global = true)]
    pub postback_breaker_seconds: u64,
    /// Quality: hold a conversion that arrives less than this many seconds after its offerwall click.
    #[arg(long, env = "TAPRAIN_QUALITY_MIN_CLICK_SECONDS", default_value_t = 10, global = true)]
    pub quality_min_click_seconds: i64,
    /// Request header carrying the visitor's country from the proxy (offerwall filtering when the
    /// embed URL has no `country`); an empty value turns it off.
    #[arg(long, env = "TAPRAIN_COUNTRY_HEADER", default_value = "CF-IPCountry", global = true)]
    pub country_header: String,
    /// Days postback log rows, never-converted offerwall clicks and delivery attempts are kept
    /// (pruned hourly in small batches); 0 keeps them forever. Conversions, ledger and audit log
    /// are never pruned.
    #[arg(long, env = "TAPRAIN_RETENTION_DAYS", default_value_t = 90, global = true)]
    pub retention_days: u32,
    /// When set, `/metrics` requires `Authorization: Bearer <token>` (401 without it).
    #[arg(long, env = "TAPRAIN_METRICS_TOKEN", hide_env_values = true, global = true)]
    pub metrics_token: Option<String>,
}

impl SettingsArgs {
    /// Validates the arguments into settings.
    pub fn into_settings(self) -> anyhow::Result<Settings> {
        let trusted_proxies = self
            .trusted_proxies
            .iter()
            .filter(|s| !s.trim().is_empty())
            .map(|raw| IpRule::parse(raw).with_context(|| format!("TAPRAIN_TRUSTED_PROXIES: {raw:?} is not an IP or CIDR")))
            .collect::<anyhow::Result<Vec<_>>>()?;
        if self.session_idle_minutes <= 0 || self.session_absolute_hours <= 0 {
            anyhow::bail!("session timeouts must be positive");
        }
        let mut settings = Settings::development(self.listen, self.database_url);
        if let (Some(cert), Some(key)) = (self.tls_cert, self.tls_key) {
            settings.tls = Some(app::server::settings::TlsFiles { cert, key });
            settings.public_url = format!("https://{}", self.listen);
        }
        if let Some(url) = self.public_url {
            settings.public_url = url.trim_end_matches('/').to_owned();
        }
        settings.site_root = self.site_root.filter(|root| !root.trim().is_empty());
        // With direct TLS there is no plain HTTP to refuse: every request arrives encrypted, and
        // cookies are Secure and HSTS is sent anyway (`Settings::secure_cookies`, `send_hsts`).
        settings.require_https = self.require_https && settings.tls.is_none();
        settings.trusted_proxies = trusted_proxies;
        settings.session_idle_minutes = self.session_idle_minutes;
        settings.session_absolute_hours = self.session_absolute_hours;
        settings.login_max_failures = self.login_max_failures;
        settings.login_lockout_seconds = self.login_lockout_seconds;
        settings.max_body_bytes = self.max_body_bytes.max(1024);
        settings.thresholds.ip_repeat_window_seconds = self.quality_ip_window_seconds.max(1);
        settings.thresholds.ip_repeat_max = self.quality_ip_repeat_max.max(1);
        settings.thresholds.amount_ceiling_cents = self.quality_amount_ceiling_cents.max(1);
        settings.thresholds.usual_payout_multiple = self.quality_usual_payout_multiple.max(1);
        settings.deliveries.allow_private_targets = self.allow_private_postback_targets;
        settings.deliveries.timeout_seconds = self.postback_timeout_seconds.clamp(1, 600);
        settings.deliveries.default_max_retries = self.postback_max_retries.clamp(0, 50);
        settings.deliveries.default_retry_interval_seconds = self.postback_retry_interval_seconds.clamp(1, 7 * 24 * 3600);
        settings.deliveries.per_publisher = self.deliveries_per_publisher.clamp(1, 256);
        settings.deliveries.breaker_failures = self.postback_breaker_failures.max(1);
        settings.deliveries.breaker_cool_down_seconds = self.postback_breaker_seconds.clamp(1, 24 * 3600);
        settings.thresholds.min_click_seconds = self.quality_min_click_seconds.max(0);
        settings.retention_days = self.retention_days;
        settings.metrics_token = self.metrics_token.filter(|token| !token.trim().is_empty());
        let country_header = self.country_header.trim();
        if !country_header.is_empty() && axum::http::HeaderName::from_bytes(country_header.as_bytes()).is_err() {
            anyhow::bail!("TAPRAIN_COUNTRY_HEADER: {country_header:?} is not a valid header name");
        }
        settings.country_header = Some(country_header.to_ascii_lowercase()).filter(|h| !h.is_empty());
        Ok(settings)
    }
}
