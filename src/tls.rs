//! Direct HTTPS (`--tls-cert` / `--tls-key`): rustls with HTTP/2 and HTTP/1.1 (ALPN), and
//! certificate renewal without a restart — the files are checked every second and a changed
//! pair is loaded for new connections (a pair that fails to load is logged and the old one kept,
//! so a renewal caught halfway is simply retried on the next check).

use std::time::{Duration, SystemTime};

use anyhow::Context;
use app::server::settings::TlsFiles;
use axum_server::tls_rustls::RustlsConfig;

/// How often the certificate files are looked at.
pub const RELOAD_CHECK: Duration = Duration::from_secs(1);

/// Loads the certificate chain and key.
pub async fn load(files: &TlsFiles) -> anyhow::Result<RustlsConfig> {
    RustlsConfig::from_pem_file(&files.cert, &files.key)
        .await
        .with_context(|| format!("loading the TLS certificate {} and key {}", files.cert.display(), files.key.display()))
}

/// What identifies one version of the files: modification time and size of each.
fn stamp(files: &TlsFiles) -> Option<[(SystemTime, u64); 2]> {
    let of = |path: &std::path::Path| std::fs::metadata(path).ok().and_then(|m| Some((m.modified().ok()?, m.len())));
    Some([of(&files.cert)?, of(&files.key)?])
}

/// Reloads `config` whenever the files change.
pub fn spawn_reloader(files: TlsFiles, config: RustlsConfig) {
    tokio::spawn(async move {
        let mut loaded = stamp(&files);
        let mut every = tokio::time::interval(RELOAD_CHECK);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            every.tick().await;
            let now = stamp(&files);
            if now.is_none() || now == loaded {
                continue;
            }
            match config.reload_from_pem_file(&files.cert, &files.key).await {
                Ok(()) => {
                    tracing::info!(cert = %files.cert.display(), "TLS certificate reloaded");
                    loaded = now;
                }
                Err(err) => tracing::warn!(error = %err, "the changed TLS files do not load yet; keeping the current certificate"),
            }
        }
    });
}
