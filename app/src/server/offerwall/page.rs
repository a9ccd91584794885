//! What an offerwall page shows: the wall's branding and the offers eligible for the visitor's
//! country and device, each with its reward in the wall's currency and a signed click link.

use std::sync::Arc;

use super::cache::OfferwallCache;
use super::walls::Wall;
use crate::domain::click::{ClickSigner, ClickToken};
use crate::domain::country::parse_country;
use crate::domain::offer::OfferCard;
use crate::domain::offerwall::{reward_for, Device};
use crate::domain::wall_language::{WallLanguage, WallTheme};
use crate::server::db::Db;

/// Longest sub-ID, user id or search text kept from the embed URL.
pub const MAX_PARAM_LEN: usize = 256;

/// How cards are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// Highest reward first (the default).
    #[default]
    Best,
    Lowest,
    Name,
}

impl Sort {
    pub fn parse(raw: &str) -> Self {
        match raw {
            "lowest" => Sort::Lowest,
            "name" => Sort::Name,
            _ => Sort::Best,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Sort::Best => "best",
            Sort::Lowest => "lowest",
            Sort::Name => "name",
        }
    }
}

/// The visitor's request, already resolved (country and device decided).
#[derive(Debug, Clone)]
pub struct Visit {
    pub s1: String,
    pub s2: String,
    pub uid: String,
    pub country: Option<String>,
    pub device: Device,
    pub query: String,
    pub sort: Sort,
    /// The language the visitor asked for (`lang=`, else `Accept-Language`), if the page speaks it.
    pub language: Option<WallLanguage>,
    pub theme: WallTheme,
}

/// Cleans an embed URL parameter: no control characters, trimmed, bounded.
pub fn clean_param(raw: Option<&str>) -> String {
    raw.unwrap_or_default().chars().filter(|c| !c.is_control()).take(MAX_PARAM_LEN).collect::<String>().trim().to_owned()
}

/// The country to filter by: the `country` override, else the proxy's header, else none.
/// Values that are not assigned ISO codes (`XX`, `T1`) count as absent.
pub fn resolve_country(override_param: Option<&str>, header: Option<&str>) -> Option<String> {
    override_param.and_then(parse_country).or_else(|| header.and_then(parse_country))
}

/// The device to filter by: the `device` override, else the user agent.
pub fn resolve_device(override_param: Option<&str>, user_agent: Option<&str>) -> Device {
    override_param.and_then(Device::parse).unwrap_or_else(|| Device::from_user_agent(user_agent.unwrap_or_default()))
}

/// One offer card: an eligible offer and its reward in the wall's currency.
#[derive(Debug, Clone, Copy)]
pub struct Card<'a> {
    pub offer: &'a OfferCard,
    pub reward: i64,
}

/// Everything a page shows. Cards borrow the cached offers (no copies per request); click links
/// are signed while the page is written (`signer`).
pub struct WallPage {
    pub wall: Arc<Wall>,
    pub visit: Visit,
    pub signer: ClickSigner,
    offers: Arc<Vec<OfferCard>>,
    /// Indexes into `offers` of the cards to show, in order.
    shown: Vec<usize>,
}

impl WallPage {
    /// The page's language: the visitor's, else the wall's.
    pub fn language(&self) -> WallLanguage {
        self.visit.language.unwrap_or(self.wall.language)
    }

    /// The cards, in the order asked for.
    pub fn cards(&self) -> impl Iterator<Item = Card<'_>> {
        self.shown.iter().map(|&i| Card { offer: &self.offers[i], reward: reward_for(self.offers[i].payout_cents, &self.wall.currency) })
    }

    pub fn is_empty(&self) -> bool {
        self.shown.is_empty()
    }

    pub fn len(&self) -> usize {
        self.shown.len()
    }
}

/// The page for `wall_id`; `None` for an unknown or inactive wall.
pub async fn load(db: &Db, cache: &OfferwallCache, wall_id: &str, visit: Visit) -> Result<Option<WallPage>, sqlx::Error> {
    let Some(wall) = cache.wall(db, wall_id).await?.filter(|w| w.active) else { return Ok(None) };
    let offers = cache.offers(db).await?;
    let device = visit.device;
    let needle = visit.query.to_lowercase();
    let country = visit.country.as_deref();
    let matches =
        |o: &OfferCard| needle.is_empty() || o.name.to_lowercase().contains(&needle) || o.description.to_lowercase().contains(&needle);
    // The cache keeps offers best paying first, which is the default order.
    let mut shown: Vec<usize> = (0..offers.len()).filter(|&i| offers[i].eligible(country, device) && matches(&offers[i])).collect();
    match visit.sort {
        Sort::Best => {}
        Sort::Lowest => shown.reverse(),
        Sort::Name => shown.sort_by_cached_key(|&i| offers[i].name.to_lowercase()),
    }
    let signer = ClickSigner::new(
        wall.click_secret.as_bytes(),
        &ClickToken {
            offerwall_id: wall.id.clone(),
            offer_id: String::new(),
            s1: visit.s1.clone(),
            s2: visit.s2.clone(),
            uid: visit.uid.clone(),
            country: visit.country.clone().unwrap_or_default(),
            device: device.as_str().to_owned(),
        },
    );
    Ok(Some(WallPage { wall, visit, signer, offers, shown }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn country_override_then_header_then_none() {
        assert_eq!(resolve_country(Some("de"), Some("US")).as_deref(), Some("DE"));
        assert_eq!(resolve_country(None, Some("US")).as_deref(), Some("US"));
        assert_eq!(resolve_country(Some("XX"), Some("US")).as_deref(), Some("US"), "a bad override is ignored");
        assert_eq!(resolve_country(None, Some("T1")), None, "Tor and unknown markers mean no filter");
        assert_eq!(resolve_country(None, None), None);
    }

    #[test]
    fn device_override_then_user_agent() {
        assert_eq!(resolve_device(Some("mobile"), Some("Mozilla/5.0 (X11; Linux x86_64)")), Device::Mobile);
        assert_eq!(resolve_device(None, Some("Mozilla/5.0 (iPhone)")), Device::Mobile);
        assert_eq!(resolve_device(Some("fridge"), None), Device::Desktop);
    }

    #[test]
    fn params_are_cleaned_and_bounded() {
        assert_eq!(clean_param(Some(" a\u{0}b ")), "ab");
        assert_eq!(clean_param(Some(&"x".repeat(300))).len(), MAX_PARAM_LEN);
        assert_eq!(clean_param(None), "");
    }
}
