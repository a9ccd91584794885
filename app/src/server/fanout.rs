//! Several instances on one PostgreSQL: what one instance changes or publishes reaches the others
//! through `LISTEN/NOTIFY`. SQLite is one process, so there it is the in-process [`EventBus`] alone.
//!
//! Two channels:
//! - [`CHANGED`]: a service changed something the caches hold (keys, secrets, IPs, catalogs;
//!   [`Db::changing`]). The payload is the sending instance's id; every other instance bumps its
//!   cache generation, so its next lookup reads the database again.
//! - [`EVENTS`]: a conversion event for the live feed, as JSON with the sending instance's id.
//!   An event whose JSON would pass PostgreSQL's 8000-byte payload limit travels as its
//!   conversion's id instead, and the receiver reads the conversion.
//!
//! Both are sent after the commit that caused them (a service returns, a batch's `committed`
//! hook runs), from a small pool of their own, coalesced: a burst of changes is one `NOTIFY`, a
//! run of events one statement. Each instance listens on one dedicated connection and ignores
//! what it sent itself — its own feeds and caches heard of it in-process already. When that
//! connection is lost, notifications sent meanwhile are lost too: the listener reconnects, and
//! marks every cache stale once it listens again (the live feed cannot be replayed; a browser
//! sees the missed rows on its next reload). Caches also expire on their own after
//! [`crate::server::ingest::directory::TTL`], so even a listener that cannot reconnect bounds
//! how long a revoked key stays valid.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::postgres::{PgListener, PgNotification, PgPoolOptions};
use sqlx::PgPool;
use tokio::sync::mpsc;

use crate::domain::catalog::Conversion;
use crate::server::conversions;
use crate::server::db::{Backend, Db};
use crate::server::ingest::events::{ConversionEvent, EventBus};

/// Cache invalidation.
pub const CHANGED: &str = "taprain_changed";
/// Live-feed events.
pub const EVENTS: &str = "taprain_events";
/// PostgreSQL refuses payloads of 8000 bytes or more; keep a margin.
const MAX_PAYLOAD: usize = 7900;
/// Most events sent in one statement.
const MAX_RUN: usize = 256;

/// An event as it travels to another instance.
#[derive(Serialize)]
struct Outgoing<'a> {
    from: &'a str,
    kind: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    conversion: Option<&'a Conversion>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
}

/// An event as another instance sent it.
#[derive(Deserialize)]
struct Incoming {
    from: String,
    kind: String,
    #[serde(default)]
    conversion: Option<Conversion>,
    #[serde(default)]
    id: Option<String>,
}

/// The payload for `event` sent by instance `from`: the whole event when it fits, else its id.
fn encode(from: &str, event: &ConversionEvent) -> String {
    let whole = Outgoing { from, kind: &event.kind, conversion: Some(&event.conversion), id: None };
    match serde_json::to_string(&whole) {
        Ok(json) if json.len() <= MAX_PAYLOAD => json,
        _ => {
            let slim = Outgoing { from, kind: &event.kind, conversion: None, id: Some(&event.conversion.id) };
            serde_json::to_string(&slim).unwrap_or_default()
        }
    }
}

/// The live feed's bus, started for `db`: in-process on SQLite; on PostgreSQL, fanned out to and
/// from every instance on the same database (and cache changes with it). Once this returns, this
/// instance is listening.
pub async fn start(db: &Db, database_url: &str) -> Result<EventBus, sqlx::Error> {
    if db.backend() != Backend::Postgres {
        return Ok(EventBus::new());
    }
    let (events, outbox) = EventBus::relayed();
    let instance = uuid::Uuid::new_v4().simple().to_string();
    let listener = listen(database_url).await?;
    // One connection sends changes, one sends events; neither waits for the other.
    let pool = PgPoolOptions::new().max_connections(2).connect(database_url).await?;
    tokio::spawn(announce_changes(db.clone(), pool.clone(), instance.clone()));
    tokio::spawn(relay_events(pool, outbox, instance.clone()));
    let hearing = Hearing {
        db: db.clone(),
        events: events.clone(),
        own_events: own_prefix(&instance),
        instance,
        database_url: database_url.to_owned(),
    };
    tokio::spawn(hearing.run(listener));
    Ok(events)
}

async fn listen(database_url: &str) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect(database_url).await?;
    listener.listen_all([CHANGED, EVENTS]).await?;
    Ok(listener)
}

/// Tells the other instances whenever a service here changed what caches hold.
async fn announce_changes(db: Db, pool: PgPool, instance: String) {
    loop {
        db.changed_here().await;
        // A failed NOTIFY is tried again for a while; past the caches' own lifetime it no longer
        // matters (and a later change is announced anyway).
        let mut wait = Duration::from_millis(100);
        while let Err(err) = sqlx::query("SELECT pg_notify($1, $2)").bind(CHANGED).bind(&instance).execute(&pool).await {
            if wait > Duration::from_secs(2) {
                tracing::warn!(error = %err, "announcing a change to other instances failed");
                break;
            }
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
}

/// Sends this instance's live-feed events to the others, a run at a time.
async fn relay_events(pool: PgPool, mut outbox: mpsc::Receiver<ConversionEvent>, instance: String) {
    let mut run = Vec::with_capacity(MAX_RUN);
    while outbox.recv_many(&mut run, MAX_RUN).await > 0 {
        let payloads: Vec<String> = run.drain(..).map(|event| encode(&instance, &event)).collect();
        // One statement, one transaction: the notifications arrive together and in this order.
        let sent = sqlx::query("SELECT pg_notify($1, payload) FROM UNNEST($2::text[]) WITH ORDINALITY AS t(payload, n) ORDER BY n")
            .bind(EVENTS)
            .bind(&payloads)
            .execute(&pool)
            .await;
        if let Err(err) = sent {
            tracing::warn!(error = %err, events = payloads.len(), "sending live-feed events to other instances failed");
        }
    }
}

/// How every event payload instance `instance` sends begins (`from` is serialized first).
fn own_prefix(instance: &str) -> String {
    format!("{{\"from\":\"{instance}\"")
}

/// What this instance hears from the others.
struct Hearing {
    db: Db,
    events: EventBus,
    instance: String,
    /// The start of this instance's own event payloads: they are skipped unread.
    own_events: String,
    database_url: String,
}

impl Hearing {
    async fn run(self, mut listener: PgListener) {
        loop {
            match listener.try_recv().await {
                Ok(Some(notification)) => self.heard(&notification).await,
                // Lost and listening again already: whatever was sent meanwhile is gone.
                Ok(None) => {
                    tracing::warn!("the connection listening to other instances was lost; reconnected");
                    self.db.changed_elsewhere();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "listening to other instances failed; reconnecting");
                    self.db.changed_elsewhere();
                    listener = self.reconnect().await;
                    self.db.changed_elsewhere();
                }
            }
        }
    }

    /// A new listener, tried again with a growing pause until the database answers.
    async fn reconnect(&self) -> PgListener {
        let mut wait = Duration::from_millis(100);
        loop {
            match listen(&self.database_url).await {
                Ok(listener) => return listener,
                Err(err) => tracing::warn!(error = %err, "reconnecting the listener failed"),
            }
            tokio::time::sleep(wait).await;
            wait = (wait * 2).min(Duration::from_secs(5));
        }
    }

    async fn heard(&self, notification: &PgNotification) {
        match notification.channel() {
            CHANGED if notification.payload() != self.instance => self.db.changed_elsewhere(),
            EVENTS if !notification.payload().starts_with(&self.own_events) => {
                let Ok(incoming) = serde_json::from_str::<Incoming>(notification.payload()) else {
                    tracing::warn!("an unreadable live-feed event from another instance was ignored");
                    return;
                };
                if incoming.from == self.instance {
                    return;
                }
                if let Some(event) = self.complete(incoming).await {
                    self.events.deliver_here(event);
                }
            }
            _ => {}
        }
    }

    /// The event with its conversion, read from the database when only its id came.
    async fn complete(&self, incoming: Incoming) -> Option<ConversionEvent> {
        let Incoming { kind, conversion, id, .. } = incoming;
        if let Some(conversion) = conversion {
            return Some(ConversionEvent { kind, conversion });
        }
        let read = async {
            let mut conn = self.db.pool().acquire().await?;
            conversions::get(&mut conn, id.as_deref().unwrap_or_default()).await
        };
        match read.await {
            Ok(found) => found.map(|conversion| ConversionEvent { kind, conversion }),
            Err(err) => {
                tracing::warn!(error = %err, "reading another instance's live-feed event failed");
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::server::ingest::conversion;

    fn event(offer_name: &str) -> ConversionEvent {
        let conversion = Conversion { offer_name: Some(offer_name.to_owned()), ..conversion::draft("cpa") };
        ConversionEvent { kind: "created".into(), conversion }
    }

    #[test]
    fn an_event_that_fits_travels_whole() {
        let sent = event("Shein Shopping App");
        let payload = encode("me", &sent);
        let incoming: Incoming = serde_json::from_str(&payload).expect("decodes");
        assert_eq!((incoming.from.as_str(), incoming.kind.as_str()), ("me", "created"));
        assert_eq!(incoming.conversion, Some(sent.conversion));
        assert_eq!(incoming.id, None);
    }

    #[test]
    fn an_instance_knows_its_own_events_by_their_first_bytes() {
        let payload = encode("4f2a", &event("Offer"));
        assert!(payload.starts_with(&own_prefix("4f2a")));
        assert!(!payload.starts_with(&own_prefix("4f2b")));
    }

    #[test]
    fn an_event_too_large_travels_as_its_id() {
        let sent = event(&"x".repeat(9000));
        let payload = encode("me", &sent);
        assert!(payload.len() < 8000);
        let incoming: Incoming = serde_json::from_str(&payload).expect("decodes");
        assert_eq!(incoming.conversion, None);
        assert_eq!(incoming.id, Some(sent.conversion.id));
    }
}
