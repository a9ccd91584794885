//! Refused calls of every source: only their log entry (and, for a refused source address, its
//! place in the network's approval queue) is written, as a set with the rest of the batch.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::log::{self, NewLogEntry};
use super::store::{StoreError, WriteTx};
use super::writer::{Env, Source, Writer};

/// A refused call.
#[derive(Debug, Clone)]
pub struct RefusedCall {
    pub log: NewLogEntry,
    /// `(network id, source ip)` when the call came from an address the network has not approved.
    pub refused_ip: Option<(String, String)>,
}

pub struct Refused;

#[async_trait]
impl Source for Refused {
    type Item = RefusedCall;
    type Output = ();

    async fn write(tx: &mut dyn WriteTx, _env: &Env, items: &[RefusedCall]) -> Result<Vec<()>, StoreError> {
        let entries: Vec<_> = items.iter().map(|call| (&call.log, None)).collect();
        log::insert(tx, &entries).await?;
        let mut addresses: BTreeMap<(String, String), i64> = BTreeMap::new();
        for (network, ip) in items.iter().filter_map(|call| call.refused_ip.clone()) {
            *addresses.entry((network, ip)).or_default() += 1;
        }
        log::remember_refused_ips(tx, &addresses).await?;
        Ok(vec![(); items.len()])
    }
}

/// Logs a refused call; a failure to log is itself only logged (the caller's answer stands).
pub async fn log_refused(writer: &Writer, log: NewLogEntry, refused_ip: Option<(String, String)>) {
    let source = log.source;
    if let Err(err) = writer.submit::<Refused>(RefusedCall { log, refused_ip }).await {
        tracing::warn!(error = %err, source, "a refused call could not be logged");
    }
}
