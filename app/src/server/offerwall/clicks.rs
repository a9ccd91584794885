//! Following a click link: verify the token against its wall, find the offer, record the click
//! (unless the caller says it is a prefetch or a bot) and build the advertiser URL. Also the
//! click lookups attribution needs (one and many).

use std::collections::HashMap;

use sqlx::AnyConnection;

use super::cache::OfferwallCache;
use crate::domain::click::{is_our_click_id, Click, ClickToken, CLICK_PREFIX};
use crate::domain::offer::ClickValues;
use crate::server::clock::now_ms;
use crate::server::db::Db;
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
}

fn non_empty(s: &str) -> Option<&str> {
    Some(s).filter(|s| !s.is_empty())
}

pub async fn follow(db: &Db, cache: &OfferwallCache, raw_token: &str, visitor: &Visitor<'_>) -> Result<Followed, ClickError> {
    let peeked = ClickToken::peek(raw_token).map_err(|_| ClickError::NotFound)?;
    let wall = cache.wall(db, &peeked.offerwall_id).await?.filter(|w| w.active).ok_or(ClickError::NotFound)?;
    let token = ClickToken::verify(raw_token, wall.click_secret.as_bytes()).map_err(|_| ClickError::NotFound)?;
    let offers = cache.offers(db).await?;
    let offer = offers.iter().find(|o| o.id == token.offer_id).ok_or(ClickError::NotFound)?;
    if !visitor.counts {
        return Ok(Followed::NotCounted);
    }
    let click_id = secrets::new_id(CLICK_PREFIX);
    sqlx::query(
        "INSERT INTO clicks (id, offerwall_id, publisher_id, offer_id, network_id, s1, s2, uid, country, device, ip, user_agent, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(&click_id)
    .bind(&wall.id)
    .bind(&wall.publisher_id)
    .bind(&offer.id)
    .bind(offer.network_id.as_deref())
    .bind(non_empty(&token.s1))
    .bind(non_empty(&token.s2))
    .bind(non_empty(&token.uid))
    .bind(non_empty(&token.country))
    .bind(&token.device)
    .bind(visitor.ip)
    .bind(visitor.user_agent.chars().take(512).collect::<String>())
    .bind(now_ms())
    .execute(db.pool())
    .await?;
    let url = offer.url.render(&ClickValues { click_id: &click_id, s1: &token.s1, s2: &token.s2, uid: &token.uid });
    Ok(Followed::Redirect { click_id, url })
}

type ClickRow =
    (String, String, String, String, Option<String>, Option<String>, Option<String>, Option<String>, Option<String>, String, i64);

const SELECT: &str = "SELECT id, offerwall_id, publisher_id, offer_id, network_id, s1, s2, uid, country, device, created_at FROM clicks";

fn from_row(r: ClickRow) -> Click {
    let (id, offerwall_id, publisher_id, offer_id, network_id, s1, s2, uid, country, device, created_at) = r;
    Click { id, offerwall_id, publisher_id, offer_id, network_id, s1, s2, uid, country, device, created_at }
}

/// The click behind a postback's `click_id`, when it is one of ours and exists.
pub async fn find(conn: &mut AnyConnection, click_id: Option<&str>) -> Result<Option<Click>, sqlx::Error> {
    let Some(id) = click_id.filter(|id| is_our_click_id(id)) else { return Ok(None) };
    let row: Option<ClickRow> = sqlx::query_as(&format!("{SELECT} WHERE id = $1")).bind(id).fetch_optional(conn).await?;
    Ok(row.map(from_row))
}

/// The clicks for many ids at once, in one statement (ids not of our shape are skipped).
pub async fn find_many(conn: &mut AnyConnection, ids: &[&str]) -> Result<HashMap<String, Click>, sqlx::Error> {
    let ours: Vec<&str> = ids.iter().copied().filter(|id| is_our_click_id(id)).collect();
    let mut found = HashMap::with_capacity(ours.len());
    if ours.is_empty() {
        return Ok(found);
    }
    let list = (1..=ours.len()).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ");
    let sql = format!("{SELECT} WHERE id IN ({list})");
    let mut query = sqlx::query_as::<_, ClickRow>(&sql);
    for id in &ours {
        query = query.bind(*id);
    }
    for row in query.fetch_all(conn).await? {
        let click = from_row(row);
        found.insert(click.id.clone(), click);
    }
    Ok(found)
}
