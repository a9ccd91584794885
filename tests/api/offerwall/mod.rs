//! Offers, offerwalls, the `/o/{id}` page, `/c/{token}` clicks and click attribution (seed 000
//! "Offerwall Embed", SPEC B and K).

mod admin;
mod attribution;
mod clicks;
mod flood;
mod page;

use serde_json::{json, Value};

use crate::helpers::*;

pub const DESKTOP_UA: &str = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36";
pub const IPHONE_UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148 Safari/604.1";

impl TestApp {
    /// Creates an offer from `body` and returns its id.
    pub async fn create_offer(&self, body: Value) -> String {
        let response = self.post_json("/api/admin/offers", body).await;
        assert_eq!(response.status(), 201, "offer created");
        response.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned()
    }

    /// Creates a wall for `publisher` with `extra` fields and returns its JSON.
    pub async fn create_wall(&self, publisher: &str, extra: Value) -> Value {
        let mut body = json!({ "publisher_id": publisher, "name": "Main wall" });
        if let (Some(body), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            body.extend(extra.clone());
        }
        let response = self.post_json("/api/admin/offerwalls", body).await;
        assert_eq!(response.status(), 201, "wall created");
        response.json().await.expect("json")
    }

    /// `GET /o/{wall}?{query}` as a browser with `user_agent` and extra headers; returns (status, body).
    pub async fn wall_page(&self, wall: &str, query: &str, user_agent: &str, headers: &[(&str, &str)]) -> (u16, String) {
        let mut request = self.client.get(self.url(&format!("/o/{wall}?{query}"))).header("user-agent", user_agent);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("GET wall");
        (response.status().as_u16(), response.text().await.expect("body"))
    }

    /// The `/c/…` link of the one card a page shows for `query` (which should narrow it to one offer).
    pub async fn click_link(&self, wall: &str, query: &str) -> String {
        let (status, body) = self.wall_page(wall, query, DESKTOP_UA, &[]).await;
        assert_eq!(status, 200);
        let links = click_links(&body);
        assert_eq!(links.len(), 1, "exactly one card for {query}");
        links[0].clone()
    }

    /// Follows a click link as a desktop browser; returns the redirect's Location.
    pub async fn click(&self, link: &str) -> String {
        let response = self.client.get(self.url(link)).header("user-agent", DESKTOP_UA).send().await.expect("click");
        assert_eq!(response.status(), 302, "a click redirects");
        response.headers()["location"].to_str().expect("location").to_owned()
    }
}

/// Every `/c/…` link on a page.
pub fn click_links(html: &str) -> Vec<String> {
    html.split("href=\"/c/").skip(1).map(|rest| format!("/c/{}", rest.split('"').next().unwrap_or_default())).collect()
}

/// Names of the offer cards on a page, in order.
pub fn card_names(html: &str) -> Vec<String> {
    html.split("<h2>").skip(1).map(|rest| rest.split("</h2>").next().unwrap_or_default().to_owned()).collect()
}

/// The click id the advertiser got (`c=` parameter of our test offers' URLs).
pub fn click_id_of(location: &str) -> String {
    let query = location.split_once('?').map(|(_, q)| q).unwrap_or_default();
    form_urlencoded_get(query, "c").expect("c parameter")
}

pub fn form_urlencoded_get(query: &str, name: &str) -> Option<String> {
    query.split('&').filter_map(|pair| pair.split_once('=')).find(|(k, _)| *k == name).map(|(_, v)| decode(v))
}

fn decode(raw: &str) -> String {
    let bytes = raw.replace('+', " ").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let Ok(b) = u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                out.push(b);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}
