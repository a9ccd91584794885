//! Headline numbers for the admin dashboard and the publisher portal.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::stats::Overview;

/// The admin overview: catalog sizes and today's figures with a 14-day series.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdminStats {
    pub networks: i64,
    pub publishers: i64,
    pub figures: Overview,
    /// The zone the days are cut in: the reader's.
    pub time_zone: String,
}

/// Days in the overview's chart.
pub const CHART_DAYS: i64 = 14;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortalStats {
    pub publisher_id: String,
    pub name: String,
    pub balance_cents: i64,
}

#[server(endpoint = "admin_overview")]
pub async fn admin_overview() -> Result<AdminStats, ServerFnError> {
    use super::guard::{internal, require, service};
    use crate::domain::when::parse_zone;
    use crate::domain::Role;
    use crate::server::clock::now_ms;
    use crate::server::{networks, publishers, stats, users};

    let (state, user) = require(Role::Admin).await?;
    let zone = parse_zone(&users::get(&state.db, &user.user_id).await.map_err(service)?.time_zone).unwrap_or(chrono_tz::Tz::UTC);
    Ok(AdminStats {
        networks: networks::count(&state.db).await.map_err(internal)?,
        publishers: publishers::count(&state.db).await.map_err(internal)?,
        figures: stats::overview(&state.db, now_ms(), CHART_DAYS, zone).await.map_err(internal)?,
        time_zone: zone.name().to_owned(),
    })
}

#[server(endpoint = "portal_overview")]
pub async fn portal_overview() -> Result<PortalStats, ServerFnError> {
    use super::guard::{internal, require};
    use crate::domain::Role;
    use crate::server::publishers;

    let (state, user) = require(Role::Publisher).await?;
    let publisher_id = user.publisher_id.ok_or_else(|| ServerFnError::new("This login has no publisher"))?;
    let publisher = publishers::get(&state.db, &publisher_id).await.map_err(internal)?;
    Ok(PortalStats { publisher_id: publisher.id, name: publisher.name, balance_cents: publisher.balance_cents })
}
