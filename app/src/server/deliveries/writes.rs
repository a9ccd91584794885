//! The delivery worker's writes, made by the single writer like postbacks: claiming due
//! deliveries, and storing attempts. They share the writer fairly with ingest: a claim is small
//! while postbacks are waiting (see [`claim_limit`]).

use async_trait::async_trait;

use super::queue::{self, Settled};
use crate::server::ingest::store::{StoreError, WriteTx};
use crate::server::ingest::writer::{Env, Source};

/// Claim, for each `(publisher, limit)`, up to `limit` of its due deliveries for `lease_ms` under
/// `claim_token` (new for each request); first put expired claims back in the queue when
/// `reclaim` is set.
#[derive(Debug, Clone)]
pub struct ClaimRequest {
    pub publishers: Vec<(String, i64)>,
    pub lease_ms: i64,
    pub claim_token: String,
    pub reclaim: bool,
}

pub struct Claim;

#[async_trait]
impl Source for Claim {
    type Item = ClaimRequest;
    /// The claimed delivery ids.
    type Output = Vec<String>;

    async fn write(tx: &mut dyn WriteTx, _env: &Env, items: &[ClaimRequest]) -> Result<Vec<Vec<String>>, StoreError> {
        let mut outputs = Vec::with_capacity(items.len());
        for request in items {
            if request.reclaim {
                queue::reclaim_expired(tx).await?;
            }
            outputs.push(queue::claim(tx, &request.publishers, request.lease_ms, &request.claim_token).await?);
        }
        Ok(outputs)
    }
}

pub struct Finish;

#[async_trait]
impl Source for Finish {
    type Item = Vec<Settled>;
    type Output = ();

    async fn write(tx: &mut dyn WriteTx, _env: &Env, items: &[Vec<Settled>]) -> Result<Vec<()>, StoreError> {
        for results in items {
            queue::finish(tx, results).await?;
        }
        Ok(vec![(); items.len()])
    }
}

/// How many deliveries to claim at once: all free slots while the writer is idle, few while
/// postbacks wait, so sending never crowds out ingest (the deliveries catch up when it is quiet).
pub fn claim_limit(free_slots: usize, writer_queued: usize) -> i64 {
    let cap = if writer_queued > 0 { 32 } else { 512 };
    free_slots.clamp(1, cap) as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_shrink_while_postbacks_wait() {
        assert_eq!(claim_limit(256, 0), 256);
        assert_eq!(claim_limit(256, 40), 32);
        assert_eq!(claim_limit(0, 0), 1);
    }
}
