//! The Health screen: every source (network, program, reward secret, offerwall provider) with
//! its calls of the last hour and day, refusal reasons, latency and flags.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::health::SourceHealth;

/// The sources a filter keeps, as the server saw them at `now`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HealthOverview {
    pub items: Vec<SourceHealth>,
    /// Unix ms the figures were read at.
    pub now: i64,
}

/// Sources of `kind` (empty: every kind), or only the one with `id` (empty: all of them).
#[server(endpoint = "admin_source_health")]
pub async fn load_health(kind: String, id: String) -> Result<HealthOverview, ServerFnError> {
    use super::guard::{internal, require};
    use crate::domain::health::SourceKind;
    use crate::domain::Role;
    use crate::server::clock::now_ms;
    use crate::server::health::{self, SourceFilter};

    let (state, _) = require(Role::Admin).await?;
    let filter = SourceFilter { kind: SourceKind::parse(kind.trim()), id: Some(id.trim().to_owned()).filter(|id| !id.is_empty()) };
    let now = now_ms();
    let items = health::sources(&state.db, Some(now), &filter).await.map_err(internal)?;
    Ok(HealthOverview { items, now })
}
