//! Replaying a logged call (`POST /api/admin/postback-log/{id}/replay`) as a dry run. The call is
//! rebuilt from its log entry and re-run against today's rules and catalogs by its source's own
//! decide step (each source's `receive::replay`); an accepted call's write — the source's own
//! `Source::write`, through [`super::dry_run::write`] — runs inside a transaction that is always rolled back, and what it would
//! have logged and credited is read back from inside it. Nothing is kept: no conversion, ledger
//! entry, delivery or log entry, and no event is published (events follow commits only).
//!
//! What the log never kept cannot be re-run: a call refused before its sender was known (no or
//! a wrong key or secret, an unknown provider, an unapproved address) is logged without what it
//! sent; its replay repeats the logged outcome and says so.

use std::net::{IpAddr, Ipv4Addr};

use super::directory::Directory;
use super::events::EventBus;
use super::log;
use super::writer::{Env, Writer};
use super::{conversions_api, cpa, provider, reward};
use crate::domain::client_addr::ClientAddr;
use crate::domain::replay::Replay;
use crate::server::db::Db;
use crate::server::error::ServiceError;
use crate::server::AppState;

/// What a replay needs from the application.
pub struct ReplayContext<'a> {
    pub db: &'a Db,
    pub directory: &'a Directory,
    pub writer: &'a Writer,
    pub events: &'a EventBus,
    pub env: &'a Env,
    /// `TAPRAIN_PUBLIC_URL` (providers' signatures are checked against it).
    pub public_url: &'a str,
}

/// Replays log entry `entry_id` with the application's directory, settings and writer's `Env`.
pub async fn replay_entry(state: &AppState, entry_id: i64) -> Result<Replay, ServiceError> {
    // Its own metrics: a dry run's log entries are never committed, so never counted.
    let env = Env {
        thresholds: state.settings.thresholds.clone(),
        events: state.events.clone(),
        deliveries: state.deliveries.clone(),
        metrics: Default::default(),
    };
    let ctx = ReplayContext {
        db: &state.db,
        directory: &state.directory,
        writer: &state.writer,
        events: &state.events,
        env: &env,
        public_url: &state.settings.public_url,
    };
    replay(&ctx, entry_id).await
}

/// Replays log entry `entry_id`.
pub async fn replay(ctx: &ReplayContext<'_>, entry_id: i64) -> Result<Replay, ServiceError> {
    let entry = log::get(&mut *ctx.db.pool().acquire().await?, entry_id).await?.ok_or(ServiceError::NotFound("postback log entry"))?;
    // The scheme was checked when the call came; a replay judges everything after it.
    let client = ClientAddr { ip: entry.source_ip.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)), https: true };
    let replayed = match entry.source.as_str() {
        cpa::SOURCE => {
            let source = cpa::receive::CpaContext {
                db: ctx.db,
                directory: ctx.directory,
                writer: ctx.writer,
                events: ctx.events,
                require_https: false,
            };
            cpa::receive::replay(&source, ctx.env, &entry, client).await
        }
        reward::SOURCE => {
            let source = reward::receive::RewardContext { db: ctx.db, directory: ctx.directory, writer: ctx.writer, require_https: false };
            reward::receive::replay(&source, ctx.env, &entry, client).await
        }
        conversions_api::SOURCE => {
            let source =
                conversions_api::receive::ApiContext { db: ctx.db, directory: ctx.directory, writer: ctx.writer, require_https: false };
            conversions_api::receive::replay(&source, ctx.env, &entry, client).await
        }
        provider::SOURCE => {
            let source = provider::receive::ProviderContext {
                db: ctx.db,
                directory: ctx.directory,
                writer: ctx.writer,
                events: ctx.events,
                require_https: false,
                public_url: ctx.public_url,
            };
            provider::receive::replay(&source, ctx.env, &entry, client).await
        }
        other => Ok(Replay::nothing(entry.outcome.clone(), format!("calls of source {other} are not replayed"))),
    };
    replayed.map_err(|err| ServiceError::Internal(anyhow::anyhow!("replay of log entry {entry_id} failed: {err}")))
}
