//! Click rows: written in batches by the writer, and read back inside its transaction when a
//! postback's `click_id` names one of ours.

use std::collections::HashMap;

use async_trait::async_trait;

use crate::domain::click::{is_our_click_id, Click};
use crate::server::ingest::store::{Row, StoreError, Table, Ty, Val, WriteTx};
use crate::server::ingest::writer::{Env, Source};

/// A click to record.
#[derive(Debug, Clone)]
pub struct NewClick {
    pub click: Click,
    pub ip: String,
    pub user_agent: String,
}

const CLICKS: Table = Table {
    name: "clicks",
    columns: &[
        ("id", Ty::Text),
        ("offerwall_id", Ty::Text),
        ("publisher_id", Ty::Text),
        ("offer_id", Ty::Text),
        ("network_id", Ty::Text),
        ("s1", Ty::Text),
        ("s2", Ty::Text),
        ("uid", Ty::Text),
        ("country", Ty::Text),
        ("device", Ty::Text),
        ("ip", Ty::Text),
        ("user_agent", Ty::Text),
        ("created_at", Ty::Int),
    ],
};

/// The writer's click source.
pub struct Clicks;

#[async_trait]
impl Source for Clicks {
    type Item = NewClick;
    type Output = ();

    async fn write(tx: &mut dyn WriteTx, _env: &Env, items: &[NewClick]) -> Result<Vec<()>, StoreError> {
        let rows: Vec<Vec<Val>> = items
            .iter()
            .map(|n| {
                let c = &n.click;
                vec![
                    c.id.as_str().into(),
                    c.offerwall_id.as_str().into(),
                    c.publisher_id.as_str().into(),
                    c.offer_id.as_str().into(),
                    c.network_id.as_deref().into(),
                    c.s1.as_deref().into(),
                    c.s2.as_deref().into(),
                    c.uid.as_deref().into(),
                    c.country.as_deref().into(),
                    c.device.as_str().into(),
                    n.ip.as_str().into(),
                    n.user_agent.as_str().into(),
                    c.created_at.into(),
                ]
            })
            .collect();
        tx.insert(&CLICKS, &rows, "").await?;
        Ok(vec![(); items.len()])
    }
}

const SELECT: &str = "SELECT id, offerwall_id, publisher_id, offer_id, network_id, s1, s2, uid, country, device, created_at FROM clicks";

fn decode(r: &Row) -> Result<Click, StoreError> {
    Ok(Click {
        id: r.text(0)?,
        offerwall_id: r.text(1)?,
        publisher_id: r.text(2)?,
        offer_id: r.text(3)?,
        network_id: r.opt_text(4)?,
        s1: r.opt_text(5)?,
        s2: r.opt_text(6)?,
        uid: r.opt_text(7)?,
        country: r.opt_text(8)?,
        device: r.text(9)?,
        created_at: r.int(10)?,
    })
}

/// The click behind a postback's `click_id`, when it is one of ours and exists.
pub async fn find(tx: &mut dyn WriteTx, click_id: Option<&str>) -> Result<Option<Click>, StoreError> {
    let Some(id) = click_id.filter(|id| is_our_click_id(id)) else { return Ok(None) };
    let row = tx.query_one(&format!("{SELECT} WHERE id = $1"), &[Val::from(id)]).await?;
    row.as_ref().map(decode).transpose()
}

/// The clicks for many ids at once (ids not of our shape are skipped).
pub async fn find_many(tx: &mut dyn WriteTx, ids: &[&str]) -> Result<HashMap<String, Click>, StoreError> {
    let ours: Vec<String> = ids.iter().filter(|id| is_our_click_id(id)).map(|id| (*id).to_owned()).collect();
    let mut found = HashMap::with_capacity(ours.len());
    for row in tx.select_in(&format!("{SELECT} WHERE id IN "), "", &[], &ours).await? {
        let click = decode(&row)?;
        found.insert(click.id.clone(), click);
    }
    Ok(found)
}
