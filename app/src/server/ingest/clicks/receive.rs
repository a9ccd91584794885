//! Following a click link: verify the token against its wall, find the offer, record the click
//! through the writer (unless the caller says it is a prefetch or a bot) and build the
//! advertiser URL.

use super::record::{Clicks, NewClick};
use crate::domain::click::{Click, ClickToken, CLICK_PREFIX};
use crate::domain::offer::ClickValues;
use crate::server::clock::now_ms;
use crate::server::db::Db;
use crate::server::ingest::writer::Writer;
use crate::server::offerwall::cache::OfferwallCache;
use crate::server::secrets;

/// Who followed the link.
#[derive(Debug, Clone)]
pub struct Visitor<'a> {
    pub ip: &'a str,
    pub user_agent: &'a str,
    /// False for prefetches, previews and bots: they get no click row.
    pub counts: bool,
}

/// Where a followed link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Followed {
    /// A click was recorded; redirect here.
    Redirect { click_id: String, url: String },
    /// Not counted (prefetch or bot): nothing recorded.
    NotCounted,
}

#[derive(Debug, thiserror::Error)]
pub enum ClickError {
    /// A malformed or forged token, an unknown or inactive wall, or an offer no longer active.
    #[error("this offer link is not valid or the offer has ended")]
    NotFound,
    #[error("database error")]
    Db(#[from] sqlx::Error),
    /// The writer could not commit the click.
    #[error("the click could not be stored")]
    WriteFailed,
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

pub async fn follow(
    db: &Db,
    cache: &OfferwallCache,
    writer: &Writer,
    raw_token: &str,
    visitor: &Visitor<'_>,
) -> Result<Followed, ClickError> {
    let peeked = ClickToken::peek(raw_token).map_err(|_| ClickError::NotFound)?;
    let wall = cache.wall(db, &peeked.offerwall_id).await?.filter(|w| w.active).ok_or(ClickError::NotFound)?;
    let token = ClickToken::verify(raw_token, wall.click_secret.as_bytes()).map_err(|_| ClickError::NotFound)?;
    let offers = cache.offers(db).await?;
    let offer = offers.iter().find(|o| o.id == token.offer_id).ok_or(ClickError::NotFound)?;
    if !visitor.counts {
        return Ok(Followed::NotCounted);
    }
    let click = Click {
        id: secrets::new_id(CLICK_PREFIX),
        offerwall_id: wall.id.clone(),
        publisher_id: wall.publisher_id.clone(),
        offer_id: offer.id.clone(),
        network_id: offer.network_id.clone(),
        s1: non_empty(&token.s1).map(str::to_owned),
        s2: non_empty(&token.s2).map(str::to_owned),
        uid: non_empty(&token.uid).map(str::to_owned),
        country: non_empty(&token.country).map(str::to_owned),
        device: token.device.clone(),
        created_at: now_ms(),
    };
    let click_id = click.id.clone();
    let new = NewClick { click, ip: visitor.ip.to_owned(), user_agent: visitor.user_agent.chars().take(512).collect() };
    writer.submit::<Clicks>(new).await.map_err(|_| ClickError::WriteFailed)?;
    let url = offer.url.render(&ClickValues { click_id: &click_id, s1: &token.s1, s2: &token.s2, uid: &token.uid });
    Ok(Followed::Redirect { click_id, url })
}
