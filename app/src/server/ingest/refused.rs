//! Refused calls of every source: only their log entry (and, for a refused source address, its
//! place in the network's or provider's approval queue) is written, as a set with the rest of
//! the batch. Sandbox calls, which write nothing but their log entry either, take the same path.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::log::{self, NewLogEntry};
use super::store::{StoreError, WriteTx};
use super::writer::{Env, Source, Writer};
use crate::server::providers;

/// A source address refused for the sender the call claimed to come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefusedAddress {
    /// `(network id, source ip)`
    Network(String, String),
    /// `(provider id, source ip)`
    Provider(String, String),
}

/// A refused call.
#[derive(Debug, Clone)]
pub struct RefusedCall {
    pub log: NewLogEntry,
    /// The address to queue when the call came from one its sender has not approved.
    pub refused_ip: Option<RefusedAddress>,
}

pub struct Refused;

#[async_trait]
impl Source for Refused {
    type Item = RefusedCall;
    type Output = ();

    async fn write(tx: &mut dyn WriteTx, env: &Env, items: &[RefusedCall]) -> Result<Vec<()>, StoreError> {
        let entries: Vec<_> = items.iter().map(|call| (&call.log, None)).collect();
        log::insert(tx, &env.metrics, &entries).await?;
        let (mut networks, mut providers): (BTreeMap<(String, String), i64>, BTreeMap<(String, String), i64>) = Default::default();
        for address in items.iter().filter_map(|call| call.refused_ip.clone()) {
            let (queue, sender, ip) = match address {
                RefusedAddress::Network(sender, ip) => (&mut networks, sender, ip),
                RefusedAddress::Provider(sender, ip) => (&mut providers, sender, ip),
            };
            *queue.entry((sender, ip)).or_default() += 1;
        }
        log::remember_refused_ips(tx, &log::NETWORK_REFUSED_IPS, &networks).await?;
        providers::ips::remember_refused(tx, &providers).await?;
        Ok(vec![(); items.len()])
    }
}

/// Logs a refused call; a failure to log is itself only logged (the caller's answer stands).
pub async fn log_refused(writer: &Writer, log: NewLogEntry, refused_ip: Option<RefusedAddress>) {
    let source = log.source;
    if let Err(err) = writer.submit::<Refused>(RefusedCall { log, refused_ip }).await {
        tracing::warn!(error = %err, source, "a refused call could not be logged");
    }
}

/// Logs a call whose only write is its log entry (a sandbox call); like [`log_refused`], a
/// failure to log is only logged.
pub async fn log_only(writer: &Writer, log: NewLogEntry) {
    log_refused(writer, log, None).await;
}
