//! The publisher portal's figures: earnings, conversions, breakdowns and offerwalls. Every
//! function takes the publisher from the session and ignores any publisher or network the
//! request names, so a publisher only ever reads their own data.

use leptos::prelude::*;

use crate::domain::offerwall::Offerwall;
use crate::domain::report::{ConversionListing, ConversionParams, Earnings, Report, ReportParams};

/// Most conversions the portal's table shows; the CSV export has them all.
pub const PORTAL_CONVERSIONS_LIMIT: i64 = 200;

/// The signed-in publisher. An empty id would read as "no filter" in the services, so it is
/// refused here rather than trusted.
#[cfg(feature = "ssr")]
async fn own() -> Result<(crate::server::AppState, String), ServerFnError> {
    let (state, _, publisher_id) = super::guard::require_publisher().await?;
    if publisher_id.trim().is_empty() {
        return Err(ServerFnError::new("This login has no publisher"));
    }
    Ok((state, publisher_id))
}

#[server(endpoint = "portal_earnings")]
pub async fn portal_earnings(tz: String) -> Result<Earnings, ServerFnError> {
    use super::guard::service;
    use crate::domain::report::zone;
    use crate::server::clock::now_ms;
    use crate::server::reports;
    use crate::server::ServiceError;

    let (state, publisher_id) = own().await?;
    let tz = zone::parse(&tz).map_err(|e| service(ServiceError::invalid(e.field, e.message)))?;
    reports::earnings(&state.db, &publisher_id, tz, now_ms()).await.map_err(service)
}

#[server(endpoint = "portal_report")]
pub async fn portal_report(params: ReportParams) -> Result<Report, ServerFnError> {
    use super::guard::service;
    use crate::domain::report::GroupBy;
    use crate::server::clock::now_ms;
    use crate::server::reports::{self, ReportQuery};
    use crate::server::ServiceError;

    let (state, publisher_id) = own().await?;
    let params = ReportParams { publisher: publisher_id, network: String::new(), ..params };
    let query = ReportQuery::parse(&params, now_ms()).map_err(service)?;
    if query.group == GroupBy::Network {
        return Err(service(ServiceError::invalid("group", "networks are not shown in the portal")));
    }
    reports::run(&state.db, &query).await.map_err(service)
}

#[server(endpoint = "portal_conversions")]
pub async fn portal_conversions(params: ConversionParams) -> Result<ConversionListing, ServerFnError> {
    use super::guard::service;
    use crate::domain::report::{zone, PublisherConversion};
    use crate::server::clock::now_ms;
    use crate::server::reports::{self, ConversionQuery};

    let (state, publisher_id) = own().await?;
    let params = ConversionParams { publisher: publisher_id, network: String::new(), ..params };
    let query = ConversionQuery::parse(&params, now_ms()).map_err(service)?;
    let found = reports::conversions(&state.db, &query, PORTAL_CONVERSIONS_LIMIT).await.map_err(service)?;
    let rows = found
        .iter()
        .map(|c| PublisherConversion { time: zone::local_time(query.tz, c.created_at), ..PublisherConversion::from(c) })
        .collect();
    Ok(ConversionListing { from: query.range.from.to_string(), to: query.range.to.to_string(), tz: query.tz.name().to_owned(), rows })
}

#[server(endpoint = "portal_offerwalls")]
pub async fn portal_offerwalls() -> Result<Vec<Offerwall>, ServerFnError> {
    use super::guard::service;
    use crate::server::offerwall::walls;

    let (state, publisher_id) = own().await?;
    let found = walls::list(&state.db, Some(&publisher_id), None, 500, 0).await.map_err(service)?;
    Ok(found.iter().map(|w| w.to_api(&state.settings.public_url)).collect())
}
