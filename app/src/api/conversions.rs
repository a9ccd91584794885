//! The admin's live conversion feed: listing with filters, one conversion's details (postback
//! log and deliveries), and review decisions — applied through the postback writer, like the
//! admin API's, so the feed sees them as events.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::conversion::{Conversion, PostbackLogEntry};
use crate::domain::delivery_log::Delivery;
use crate::domain::replay::Replay;

/// The feed's filters; an empty field means any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedFilter {
    pub network: String,
    pub publisher: String,
    pub status: String,
    pub source: String,
}

impl FeedFilter {
    /// True when `c` belongs in the feed under this filter (for live events).
    pub fn matches(&self, c: &Conversion) -> bool {
        let is = |want: &str, have: Option<&str>| want.is_empty() || have == Some(want);
        is(&self.network, c.network_id.as_deref())
            && is(&self.publisher, c.publisher_id.as_deref())
            && is(&self.status, Some(c.state.as_str()))
            && is(&self.source, Some(c.source.as_str()))
    }
}

/// One event of `GET /api/admin/events` as the browser reads it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct FeedEvent {
    /// `created` or `updated`.
    pub kind: String,
    pub conversion: Conversion,
}

/// A name to show for an id in filters and tables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: String,
    pub name: String,
}

/// What the feed's filters offer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilterChoices {
    pub networks: Vec<Choice>,
    pub publishers: Vec<Choice>,
}

/// A conversion with what happened around it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConversionInfo {
    pub conversion: Conversion,
    /// Every postback call that concerned it, newest first.
    pub postbacks: Vec<PostbackLogEntry>,
    /// Outbound postbacks to its publisher, newest first.
    pub deliveries: Vec<Delivery>,
    pub network_name: Option<String>,
    pub publisher_name: Option<String>,
    /// The coins a reward conversion moved (its amount in money is 0).
    pub coins: Option<i64>,
}

/// Most rows the feed shows.
pub const FEED_LIMIT: usize = 100;

#[server(endpoint = "admin_feed")]
pub async fn feed_conversions(
    network: String,
    publisher: String,
    status: String,
    source: String,
) -> Result<Vec<Conversion>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::conversion::ConversionState;
    use crate::domain::Role;
    use crate::server::conversions::{self, Filter};

    let (state, _) = require(Role::Admin).await?;
    let non_empty = |v: String| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
    let status = match non_empty(status) {
        Some(raw) => Some(ConversionState::parse(&raw).ok_or_else(|| ServerFnError::new(format!("Unknown status {raw:?}")))?),
        None => None,
    };
    let filter = Filter {
        state: status,
        network_id: non_empty(network),
        publisher_id: non_empty(publisher),
        source: non_empty(source),
        program_id: None,
        limit: FEED_LIMIT as i64,
    };
    conversions::list(&state.db, &filter).await.map_err(service)
}

#[server(endpoint = "admin_feed_choices")]
pub async fn feed_choices() -> Result<FilterChoices, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::{networks, publishers};

    let (state, _) = require(Role::Admin).await?;
    let networks = networks::list(&state.db).await.map_err(service)?;
    let publishers = publishers::list(&state.db, "", 500, 0).await.map_err(service)?;
    Ok(FilterChoices {
        networks: networks.into_iter().map(|n| Choice { id: n.id, name: n.name }).collect(),
        publishers: publishers.into_iter().map(|p| Choice { id: p.id, name: p.name }).collect(),
    })
}

#[server(endpoint = "admin_conversion")]
pub async fn conversion_details(id: String) -> Result<ConversionInfo, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::deliveries::listing::{self, Filter as DeliveryFilter};
    use crate::server::reward::users as reward_users;
    use crate::server::{conversions, networks, publishers};

    let (state, _) = require(Role::Admin).await?;
    let (conversion, postbacks) = conversions::with_postbacks(&state.db, &id).await.map_err(service)?;
    let deliveries = listing::list(&state.db, &DeliveryFilter { conversion_id: Some(id), limit: 100, ..DeliveryFilter::default() })
        .await
        .map_err(service)?;
    let network_name = match &conversion.network_id {
        Some(nid) => networks::get(&state.db, nid).await.ok().map(|n| n.name),
        None => None,
    };
    let publisher_name = match &conversion.publisher_id {
        Some(pid) => publishers::get(&state.db, pid).await.ok().map(|p| p.name),
        None => None,
    };
    let coins = if conversion.source == "reward" {
        reward_users::coins_for_conversions(&state.db, std::slice::from_ref(&conversion.id))
            .await
            .map_err(service)?
            .first()
            .map(|(_, c)| *c)
    } else {
        None
    };
    Ok(ConversionInfo { conversion, postbacks, deliveries, network_name, publisher_name, coins })
}

/// The coins each of the reward conversions `ids` moved, as (conversion id, coins).
#[server(endpoint = "admin_conversion_coins")]
pub async fn conversion_coins(ids: Vec<String>) -> Result<Vec<(String, i64)>, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::reward::users;

    let (state, _) = require(Role::Admin).await?;
    users::coins_for_conversions(&state.db, &ids).await.map_err(service)
}

/// Replays postback log entry `entry_id` as a dry run: what the call would do today. Writes nothing.
#[server(endpoint = "admin_replay_postback")]
pub async fn replay_postback(entry_id: i64) -> Result<Replay, ServerFnError> {
    use super::guard::{require, service};
    use crate::domain::Role;
    use crate::server::ingest::replay;

    let (state, _) = require(Role::Admin).await?;
    replay::replay_entry(&state, entry_id).await.map_err(service)
}

/// Applies `action` (`approve`, `reject` or `reverse`) to a conversion.
#[server(endpoint = "admin_review")]
pub async fn review_conversion(id: String, action: String) -> Result<Conversion, ServerFnError> {
    use super::guard::{internal, require, service};
    use crate::domain::Role;
    use crate::server::audit::Actor;
    use crate::server::ingest::review::{self, ReviewAction, ReviewRefusal, SubmitError};
    use crate::server::ServiceError;

    let (state, user) = require(Role::Admin).await?;
    let action = match action.as_str() {
        "approve" => ReviewAction::Approve,
        "reject" => ReviewAction::Reject,
        "reverse" => ReviewAction::Reverse,
        _ => return Err(ServerFnError::new("Unknown action")),
    };
    match review::submit(&state.writer, id, action, Actor::user(&user.user_id)).await {
        Ok(conversion) => Ok(conversion),
        Err(SubmitError::Refused(ReviewRefusal::NotFound)) => Err(service(ServiceError::NotFound("conversion"))),
        Err(SubmitError::Refused(refusal)) => Err(service(ServiceError::Conflict(capitalized(&refusal.to_string())))),
        Err(err @ SubmitError::WriteFailed) => Err(internal(err)),
    }
}

#[cfg(feature = "ssr")]
fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|first| first.to_uppercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::conversion::ConversionState;

    fn conversion(state: ConversionState) -> Conversion {
        Conversion {
            id: "cnv_1".into(),
            source: "cpa".into(),
            network_id: Some("net_1".into()),
            program_id: None,
            publisher_id: Some("pub_1".into()),
            state,
            amount_cents: 350,
            network_status: Some("1".into()),
            reasons: vec![],
            lead_id: None,
            click_id: None,
            offer_id: None,
            offer_name: None,
            country_code: None,
            ip: None,
            s2: None,
            s1: None,
            uid: None,
            offerwall_id: None,
            catalog_offer_id: None,
            event_at: 0,
            created_at: 0,
            updated_at: 0,
        }
    }

    #[test]
    fn an_empty_filter_matches_everything_and_each_field_narrows() {
        let held = conversion(ConversionState::Held);
        assert!(FeedFilter::default().matches(&held));
        assert!(FeedFilter { status: "held".into(), network: "net_1".into(), ..FeedFilter::default() }.matches(&held));
        assert!(!FeedFilter { status: "credited".into(), ..FeedFilter::default() }.matches(&held));
        assert!(!FeedFilter { publisher: "pub_2".into(), ..FeedFilter::default() }.matches(&held));
        assert!(!FeedFilter { source: "reward".into(), ..FeedFilter::default() }.matches(&held));
    }

    #[test]
    fn a_feed_event_reads_the_admin_api_json() {
        let json = r#"{"kind":"created","conversion":{"id":"cnv_1","source":"cpa","network_id":null,"program_id":null,
            "publisher_id":"p","status":"held","state":"held","amount_cents":60000,"network_status":"1","reasons":["amount_outlier"],
            "lead_id":"l","click_id":null,"offer_id":null,"offer_name":"<img>","country_code":null,"ip":null,"s2":null,
            "event_at":1,"created_at":2,"updated_at":3}}"#;
        let event: FeedEvent = serde_json::from_str(json).expect("event");
        assert_eq!(event.conversion.state, ConversionState::Held);
        assert_eq!(event.conversion.offer_name.as_deref(), Some("<img>"));
    }
}
