//! `GET /o/{id}`: filtering by country and device, escaping, branding, frame headers, 404.

use serde_json::json;

use super::*;
use crate::on_both_backends;

const URL: &str = "https://adv.example/go?c={click_id}";

/// Four offers: A (US, desktop), B (DE, mobile), C (everywhere, all devices), D (US, mobile).
async fn matrix_wall(app: &TestApp) -> String {
    for (name, countries, device, payout) in [
        ("Alpha", json!(["US"]), "desktop", 400),
        ("Bravo", json!(["DE"]), "mobile", 300),
        ("Charlie", json!([]), "all", 200),
        ("Delta", json!(["US"]), "mobile", 100),
    ] {
        app.create_offer(json!({ "name": name, "payout_cents": payout, "url_template": URL, "countries": countries, "device": device }))
            .await;
    }
    let inactive = app.create_offer(json!({ "name": "Echo", "payout_cents": 999, "url_template": URL })).await;
    let off = app
        .client
        .patch(app.url(&format!("/api/admin/offers/{inactive}")))
        .bearer_auth(&app.token)
        .json(&json!({ "active": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(off.status(), 200);
    let publisher = app.create_publisher("Pub").await;
    app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned()
}

/// (query, user agent, request headers, expected cards in reward order)
type Case = (&'static str, &'static str, Vec<(&'static str, &'static str)>, Vec<&'static str>);

on_both_backends!(offers_are_filtered_by_country_and_device, |app| {
    let wall = matrix_wall(&app).await;
    let cf = |c: &'static str| vec![("CF-IPCountry", c)];
    let cases: Vec<Case> = vec![
        ("country=US&device=desktop", IPHONE_UA, vec![], vec!["Alpha", "Charlie"]),
        ("country=US&device=mobile", DESKTOP_UA, vec![], vec!["Charlie", "Delta"]),
        ("country=de", IPHONE_UA, vec![], vec!["Bravo", "Charlie"]),
        ("", DESKTOP_UA, cf("DE"), vec!["Charlie"]),
        ("", IPHONE_UA, cf("DE"), vec!["Bravo", "Charlie"]),
        ("", IPHONE_UA, cf("US"), vec!["Charlie", "Delta"]),
        ("country=US&device=mobile", DESKTOP_UA, cf("DE"), vec!["Charlie", "Delta"]),
        ("country=XX", DESKTOP_UA, cf("DE"), vec!["Charlie"]),
        ("", DESKTOP_UA, vec![], vec!["Alpha", "Charlie"]),
        ("", IPHONE_UA, vec![], vec!["Bravo", "Charlie", "Delta"]),
        ("", DESKTOP_UA, cf("XX"), vec!["Alpha", "Charlie"]),
        ("device=mobile", DESKTOP_UA, vec![], vec!["Bravo", "Charlie", "Delta"]),
    ];
    for (query, ua, headers, expected) in cases {
        let (status, body) = app.wall_page(&wall, query, ua, &headers).await;
        assert_eq!(status, 200);
        assert_eq!(card_names(&body), expected, "query {query:?}, ua mobile {}, headers {headers:?}", ua == IPHONE_UA);
    }
    let (_, sorted) = app.wall_page(&wall, "sort=name&device=mobile", DESKTOP_UA, &[]).await;
    assert_eq!(card_names(&sorted), vec!["Bravo", "Charlie", "Delta"]);
    let (_, lowest) = app.wall_page(&wall, "sort=lowest&device=mobile", DESKTOP_UA, &[]).await;
    assert_eq!(card_names(&lowest), vec!["Delta", "Charlie", "Bravo"]);
    let (_, searched) = app.wall_page(&wall, "q=CHAR", DESKTOP_UA, &[]).await;
    assert_eq!(card_names(&searched), vec!["Charlie"]);
});

on_both_backends!(country_header_is_a_setting, settings(|s| s.country_header = Some("x-geo-country".into())), |app| {
    let wall = matrix_wall(&app).await;
    let (_, by_setting) = app.wall_page(&wall, "", DESKTOP_UA, &[("X-Geo-Country", "DE")]).await;
    assert_eq!(card_names(&by_setting), vec!["Charlie"]);
    let (_, ignored) = app.wall_page(&wall, "", DESKTOP_UA, &[("CF-IPCountry", "DE")]).await;
    assert_eq!(card_names(&ignored), vec!["Alpha", "Charlie"]);
});

on_both_backends!(hostile_text_is_escaped_and_rewards_use_the_wall_currency, |app| {
    app.create_offer(json!({ "name": "<script>alert('name')</script>", "payout_cents": 350, "url_template": URL,
        "description": "\"><img src=x onerror=alert(1)> & more" }))
        .await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({ "title": "</title><script>alert(2)</script>", "currency_name": "<b>Gems</b>", "exchange_rate": "1000", "accent_color": "#123abc" })).await;
    let wall = wall["id"].as_str().expect("id");
    let (status, body) = app.wall_page(wall, "s1=%22%3E%3Cscript%3Ealert(3)%3C/script%3E&q=%3Cscript", DESKTOP_UA, &[]).await;
    assert_eq!(status, 200);
    for raw in ["<script>alert('name')", "<img src=x", "</title><script>", "<b>Gems</b>", "\"><script>alert(3)"] {
        assert!(!body.contains(raw), "{raw} must be escaped");
    }
    assert!(body.contains("&lt;script&gt;alert(&#39;name&#39;)&lt;/script&gt;"));
    assert!(body.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; more"));
    assert!(body.contains("3,500\u{a0}&lt;b&gt;Gems&lt;/b&gt;"), "350 cents at 1000 per USD");
    assert!(body.contains("--accent:#123abc"));
    assert!(body.contains("name=\"viewport\""));
    assert_eq!(body.matches("<script nonce=").count(), 1, "only the page's own script");
});

on_both_backends!(only_offerwall_pages_and_clicks_may_be_framed, |app| {
    app.create_offer(json!({ "name": "Charlie", "payout_cents": 200, "url_template": URL })).await;
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let link = app.click_link(&wall, "").await;
    let framed = |r: &reqwest::Response| {
        let csp = r.headers().get("content-security-policy").map(|v| v.to_str().expect("csp").to_owned()).unwrap_or_default();
        (r.headers().get("x-frame-options").is_none(), csp.contains("frame-ancestors *"))
    };
    let page = app.client.get(app.url(&format!("/o/{wall}"))).send().await.expect("page");
    assert_eq!(framed(&page), (true, true));
    assert!(page.headers()["content-type"].to_str().expect("ct").starts_with("text/html"));
    let click = app.client.get(app.url(&link)).send().await.expect("click");
    assert_eq!(click.status(), 302);
    assert_eq!(framed(&click), (true, true));
    let missing = app.client.get(app.url("/o/ofw_missing")).send().await.expect("404");
    assert_eq!(framed(&missing), (true, true));
    for path in ["/healthz", "/api/admin/offers", "/admin", "/login", "/api/postback/cpa", "/oo/x"] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(response.headers().get("x-frame-options").map(|v| v.to_str().expect("xfo")), Some("DENY"), "{path}");
    }
});

on_both_backends!(unknown_or_inactive_walls_are_a_404_page, |app| {
    for path in ["/o/ofw_missing", "/o/%3Cscript%3E", &format!("/o/{}", "x".repeat(300))] {
        let response = app.client.get(app.url(path)).send().await.expect("get");
        assert_eq!(response.status(), 404, "{path}");
        assert!(response.headers()["content-type"].to_str().expect("ct").starts_with("text/html"));
        let body = response.text().await.expect("body");
        assert!(body.contains("Offerwall not found") && !body.contains("<script>"));
    }
    let publisher = app.create_publisher("Pub").await;
    let wall = app.create_wall(&publisher, json!({})).await["id"].as_str().expect("id").to_owned();
    let (status, body) = app.wall_page(&wall, "", DESKTOP_UA, &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("No offers available"));
    let off = app
        .client
        .patch(app.url(&format!("/api/admin/offerwalls/{wall}")))
        .bearer_auth(&app.token)
        .json(&json!({ "active": false }))
        .send()
        .await
        .expect("patch");
    assert_eq!(off.status(), 200);
    assert_eq!(app.wall_page(&wall, "", DESKTOP_UA, &[]).await.0, 404);
});

on_both_backends!(the_page_speaks_the_visitors_language_and_writes_numbers_its_way, |app| {
    app.create_offer(json!({ "name": "Charlie", "payout_cents": 1234, "url_template": URL })).await;
    let publisher = app.create_publisher("Pub").await;
    // 12.34 USD at 1000 per USD: 12,340 coins, written per language.
    let wall = app.create_wall(&publisher, json!({ "exchange_rate": "1000", "currency_name": "Gems", "language": "de" })).await;
    assert_eq!(wall["language"], "de");
    let wall = wall["id"].as_str().expect("id").to_owned();
    // (lang=, Accept-Language, html lang, the search box's label, the reward as written)
    let cases = [
        ("lang=en", "", "en", "Search offers", "12,340\u{a0}Gems"),
        ("lang=es", "", "es", "Buscar ofertas", "12.340\u{a0}Gems"),
        ("lang=pt-BR", "", "pt", "Buscar ofertas", "12.340\u{a0}Gems"),
        ("lang=de", "", "de", "Angebote suchen", "12.340\u{a0}Gems"),
        ("lang=fr", "", "fr", "Rechercher des offres", "12\u{202f}340\u{a0}Gems"),
        ("lang=ru", "", "ru", "Поиск предложений", "12\u{a0}340\u{a0}Gems"),
        ("lang=tr", "", "tr", "Teklif ara", "12.340\u{a0}Gems"),
        ("lang=id", "", "id", "Cari penawaran", "12.340\u{a0}Gems"),
        ("", "ja, fr-CA;q=0.9, en;q=0.8", "fr", "Rechercher des offres", "12\u{202f}340\u{a0}Gems"),
        ("lang=xx", "tr", "tr", "Teklif ara", "12.340\u{a0}Gems"),
        ("lang=es", "ru", "es", "Buscar ofertas", "12.340\u{a0}Gems"),
        ("", "ja", "de", "Angebote suchen", "12.340\u{a0}Gems"),
        ("", "", "de", "Angebote suchen", "12.340\u{a0}Gems"),
    ];
    for (query, accept, lang, search, reward) in cases {
        let headers: Vec<(&str, &str)> = if accept.is_empty() { vec![] } else { vec![("Accept-Language", accept)] };
        let (status, body) = app.wall_page(&wall, query, DESKTOP_UA, &headers).await;
        assert_eq!(status, 200);
        assert!(body.contains(&format!("<html lang=\"{lang}\"")), "{query:?} {accept:?} → {lang}");
        assert!(body.contains(&format!("aria-label=\"{search}\"")), "{query:?} {accept:?}: {search}");
        assert!(body.contains(reward), "{query:?} {accept:?}: {reward}");
        assert!(body.contains("Gems"), "the currency is named in every language");
    }
    // The choice is kept when the visitor searches without JavaScript, and the theme with it.
    let (_, dark) = app.wall_page(&wall, "lang=ru&theme=dark", DESKTOP_UA, &[]).await;
    assert!(dark.contains("name=\"lang\" value=\"ru\"") && dark.contains("name=\"theme\" value=\"dark\""));
    assert!(dark.contains("color-scheme:dark"));
    let (_, light) = app.wall_page(&wall, "", DESKTOP_UA, &[]).await;
    assert!(light.contains("color-scheme:light") && !light.contains("name=\"lang\""));
    let response = app.client.get(app.url(&format!("/o/{wall}?lang=tr"))).send().await.expect("GET");
    assert_eq!(response.headers()["content-language"], "tr");
    assert_eq!(response.headers()["vary"], "Accept-Language");

    // A language the page does not speak is refused as the wall's default.
    let publisher_two = app.create_publisher("Pub 2").await;
    let bad = app.post_json("/api/admin/offerwalls", json!({ "publisher_id": publisher_two, "name": "W", "language": "xx" })).await;
    assert!(expect_error(bad, 422).await.contains("language"));
});
