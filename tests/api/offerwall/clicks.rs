//! `GET /c/{token}`: records a click and redirects with the macros filled in; prefetches, HEAD
//! requests and bots record nothing; forged links are refused.

use serde_json::json;

use super::*;
use crate::on_both_backends;

/// A click row: id, s1, s2, uid, country, device, offer id.
type ClickRow = (String, Option<String>, Option<String>, Option<String>, Option<String>, String, String);

async fn clicks(app: &TestApp) -> Vec<ClickRow> {
    sqlx::query_as("SELECT id, s1, s2, uid, country, device, offer_id FROM clicks ORDER BY created_at")
        .fetch_all(app.db.pool())
        .await
        .expect("clicks")
}

on_both_backends!(a_click_is_recorded_and_redirected_with_filled_macros, |app| {
    let offer = app
        .create_offer(json!({ "name": "Charlie", "payout_cents": 200,
        "url_template": "http://adv.example/land?c={click_id}&s1={s1}&s2={s2}&u={uid}" }))
        .await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.click_link(&wall, "s1=my+site&s2=home%26page&uid=user%2F1&country=us&device=mobile").await;

    let location = app.click(&link).await;
    let click_id = click_id_of(&location);
    assert!(click_id.starts_with("clk_"));
    assert_eq!(location, format!("http://adv.example/land?c={click_id}&s1=my+site&s2=home%26page&u=user%2F1"));
    let recorded = clicks(&app).await;
    assert_eq!(
        recorded,
        vec![(
            click_id,
            Some("my site".into()),
            Some("home&page".into()),
            Some("user/1".into()),
            Some("US".into()),
            "mobile".into(),
            offer
        )]
    );
    let (ip, ua, wall_of, publisher_of): (String, String, String, String) =
        sqlx::query_as("SELECT ip, user_agent, offerwall_id, publisher_id FROM clicks").fetch_one(app.db.pool()).await.expect("row");
    assert_eq!((ip.as_str(), ua.as_str(), wall_of, publisher_of), ("127.0.0.1", DESKTOP_UA, wall, publisher));
});

on_both_backends!(prefetches_head_requests_and_bots_record_nothing, |app| {
    app.create_offer(json!({ "name": "Charlie", "payout_cents": 200, "url_template": "http://adv.example/?c={click_id}" })).await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.click_link(&wall, "").await;
    let head = app.client.head(app.url(&link)).header("user-agent", DESKTOP_UA).send().await.expect("head");
    assert_eq!(head.status(), 204);
    for (name, value) in [("Purpose", "prefetch"), ("Sec-Purpose", "prefetch;prerender"), ("X-Moz", "prefetch"), ("X-Purpose", "preview")] {
        let response = app.client.get(app.url(&link)).header("user-agent", DESKTOP_UA).header(name, value).send().await.expect("get");
        assert_eq!(response.status(), 204, "{name}: {value}");
    }
    for bot in ["Googlebot/2.1 (+http://www.google.com/bot.html)", "Mozilla/5.0 (compatible; Baiduspider/2.0)", "SomeCrawler/1.0"] {
        let response = app.client.get(app.url(&link)).header("user-agent", bot).send().await.expect("get");
        assert_eq!(response.status(), 204, "{bot}");
    }
    assert!(clicks(&app).await.is_empty());
    app.click(&link).await;
    assert_eq!(clicks(&app).await.len(), 1, "the real click counts");
});

on_both_backends!(forged_or_dead_links_are_refused, |app| {
    let offer =
        app.create_offer(json!({ "name": "Charlie", "payout_cents": 200, "url_template": "http://adv.example/?c={click_id}" })).await;
    let other =
        app.create_offer(json!({ "name": "Other", "payout_cents": 100, "url_template": "http://evil.example/?c={click_id}" })).await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.click_link(&wall, "q=Charlie").await;
    // `<context>.<offer_id>.<tag>`: the other offer's id under this link's tag, and a context
    // with another sub-ID under it.
    let (context, rest) = link.trim_start_matches("/c/").split_once('.').expect("token");
    let (_, tag) = rest.split_once('.').expect("tag");
    let swapped = format!("{context}.{other}");
    let other_context = base64_like::encode(&String::from_utf8(base64_like::decode(context)).expect("json").replacen("\"\"", "\"x\"", 1));
    let resigned = format!("{other_context}.{offer}");
    let bad_links = [
        format!("/c/{swapped}.{tag}"),
        format!("/c/{resigned}.{tag}"),
        format!("/c/{context}.{offer}.AAAA"),
        "/c/garbage".to_owned(),
        format!("/c/{}", "x".repeat(5000)),
    ];
    for bad in bad_links {
        let response = app.client.get(app.url(&bad)).header("user-agent", DESKTOP_UA).send().await.expect("get");
        assert!(matches!(response.status().as_u16(), 404 | 414), "{bad}");
    }
    let off = app
        .client
        .patch(app.url(&format!("/api/admin/offers/{offer}")))
        .bearer_auth(&app.token)
        .json(&json!({ "active": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(off.status(), 200);
    let ended = app.client.get(app.url(&link)).header("user-agent", DESKTOP_UA).send().await.expect("get");
    assert_eq!(ended.status(), 404);
    assert!(ended.text().await.expect("body").contains("Offer not available"));
    assert!(clicks(&app).await.is_empty());
});

/// Minimal base64url (no padding) so the test can tamper with a token.
mod base64_like {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    pub fn encode(text: &str) -> String {
        let bytes = text.as_bytes();
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
            for i in 0..=chunk.len() {
                out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
            }
        }
        out
    }

    pub fn decode(text: &str) -> Vec<u8> {
        let values: Vec<u32> = text.bytes().map(|c| ALPHABET.iter().position(|a| *a == c).expect("base64url") as u32).collect();
        let mut out = Vec::new();
        for chunk in values.chunks(4) {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, v)| acc | (v << (18 - 6 * i)));
            for i in 0..chunk.len().saturating_sub(1) {
                out.push(((n >> (16 - 8 * i)) & 255) as u8);
            }
        }
        out
    }
}
