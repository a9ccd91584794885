//! `GET /api/postback/cpa` (seed 000): the example, every documented status, and the checks' order.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(the_seed_example_is_credited, |app| {
    let cpa = app.setup_cpa().await;
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);

    let items = app.conversions("").await;
    assert_eq!(items.len(), 1);
    let c = &items[0];
    assert_eq!(c["state"], "credited");
    assert_eq!(c["amount_cents"], 350);
    assert_eq!(c["offer_name"], "Shein Shopping App");
    assert_eq!(c["country_code"], "US");
    assert_eq!(c["ip"], "203.0.113.45");
    assert_eq!(c["lead_id"], "abc123");
    assert_eq!(c["publisher_id"], SEED_PUBLISHER);
    assert_eq!(c["network_id"], cpa.network_id.as_str());

    let details: Value = app.get(&format!("/api/admin/conversions/{}", c["id"].as_str().expect("id"))).await.json().await.expect("json");
    let log = details["postbacks"].as_array().expect("log");
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["outcome"], "ok");
    assert_eq!(log[0]["params"]["amount"], "350");
    assert!(log[0]["params"].get("key").is_none());
    assert!(!details.to_string().contains(&cpa.key));
});

on_both_backends!(every_documented_error_status, |app| {
    let cpa = app.setup_cpa().await;
    let no_key = app.client.get(app.url(&format!("/api/postback/cpa?{SEED_QUERY}"))).send().await.expect("send");
    expect_cpa(no_key, 401, "Unauthorized").await;
    expect_cpa(app.cpa("trk_wrong", SEED_QUERY).await, 401, "Unauthorized").await;
    expect_cpa(app.cpa("", SEED_QUERY).await, 401, "Unauthorized").await;

    let missing_publisher = app.cpa(&cpa.key, "amount=350").await;
    assert_eq!(missing_publisher.status(), 400);
    let missing_amount = app.cpa(&cpa.key, "external_identifier=6422f1b3e8a0000012345678").await;
    assert_eq!(missing_amount.status(), 400);
    for amount in [
        "",
        "0",
        "-5",
        "3.50",
        "abc",
        "1e3",
        "%20350",
        "350%20",
        "0350",
        "99999999999999999999",
        "9223372036854775808",
        "100000001",
        "%2B5",
    ] {
        let response = app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount={amount}&lead_id=x")).await;
        assert_eq!(response.status(), 400, "amount={amount:?}");
        let message = response.json::<Value>().await.expect("json")["message"].as_str().expect("message").to_owned();
        assert!(message.contains("amount"), "{message}");
    }
    expect_cpa(app.cpa(&cpa.key, "external_identifier=ffffffffffffffffffffffff&amount=350").await, 404, "Publisher not found").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0, "nothing was credited");
    assert!(app.conversions("").await.is_empty(), "no partial writes");

    let log: Value = app.get("/api/admin/postback-log?limit=100").await.json().await.expect("json");
    let outcomes: Vec<&str> = log["items"].as_array().expect("items").iter().map(|e| e["outcome"].as_str().expect("outcome")).collect();
    assert!(outcomes.contains(&"unauthorized") && outcomes.contains(&"bad_request") && outcomes.contains(&"not_found"), "{outcomes:?}");
    assert!(!log.to_string().contains(&cpa.key));
});

on_both_backends!(checks_run_in_the_documented_order, |app| {
    let cpa = app.setup_cpa().await;
    // A bad key wins over bad fields; bad fields win over an unknown publisher.
    expect_cpa(app.cpa("trk_wrong", "amount=0").await, 401, "Unauthorized").await;
    assert_eq!(app.cpa(&cpa.key, "external_identifier=ffffffffffffffffffffffff&amount=0").await.status(), 400);
});

/// A client bound to another loopback address, as a network's unapproved server would be.
fn client_from(ip: &str) -> reqwest::Client {
    reqwest::Client::builder().local_address(ip.parse::<std::net::IpAddr>().expect("ip")).build().expect("client")
}

on_both_backends!(unapproved_source_ips_are_refused_and_queued_for_approval, |app| {
    let cpa = app.setup_cpa().await;
    let other = client_from("127.0.0.2");
    let url = app.url(&format!("/api/postback/cpa?key={}&{SEED_QUERY}", cpa.key));
    expect_cpa(other.get(&url).send().await.expect("send"), 403, "Forbidden").await;
    expect_cpa(other.get(&url).send().await.expect("send"), 403, "Forbidden").await;
    // A spoofed X-Forwarded-For from an untrusted peer changes nothing.
    let spoofed = other.get(&url).header("x-forwarded-for", "127.0.0.1").send().await.expect("send");
    expect_cpa(spoofed, 403, "Forbidden").await;

    let queue: Value = app.get(&format!("/api/admin/networks/{}/refused-ips", cpa.network_id)).await.json().await.expect("json");
    let items = queue["items"].as_array().expect("items");
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["ip"], "127.0.0.2");
    assert_eq!(items[0]["count"], 3);

    let approved = app
        .client
        .post(app.url(&format!("/api/admin/networks/{}/refused-ips/127.0.0.2/approve", cpa.network_id)))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("approve");
    assert_eq!(approved.status(), 201);
    expect_cpa(other.get(&url).send().await.expect("send"), 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 350);
    let queue: Value = app.get(&format!("/api/admin/networks/{}/refused-ips", cpa.network_id)).await.json().await.expect("json");
    assert!(queue["items"].as_array().expect("items").is_empty());
    let again = app
        .client
        .post(app.url(&format!("/api/admin/networks/{}/refused-ips/127.0.0.9/approve", cpa.network_id)))
        .bearer_auth(&app.token)
        .send()
        .await
        .expect("approve");
    assert_eq!(again.status(), 404);
});

on_both_backends!(
    forwarded_headers_count_only_from_trusted_proxies,
    settings(|s: &mut app::server::settings::Settings| {
        s.trusted_proxies = vec![app::domain::IpRule::parse("127.0.0.1").expect("rule")];
        s.require_https = true;
    }),
    |app| {
        let cpa = app.setup_cpa().await;
        let url = app.url(&format!("/api/postback/cpa?key={}&{SEED_QUERY}", cpa.key));
        // Plain HTTP is refused when HTTPS is required.
        expect_cpa(app.client.get(&url).send().await.expect("send"), 403, "HTTPS required").await;
        // Through the trusted proxy: the forwarded client address is the one checked.
        let forwarded =
            app.client.get(&url).header("x-forwarded-proto", "https").header("x-forwarded-for", "198.51.100.7").send().await.expect("send");
        expect_cpa(forwarded, 403, "Forbidden").await;
        let add = app.post_json(&format!("/api/admin/networks/{}/ips", cpa.network_id), json!({ "ip": "198.51.100.0/24" })).await;
        assert_eq!(add.status(), 201);
        let forwarded =
            app.client.get(&url).header("x-forwarded-proto", "https").header("x-forwarded-for", "198.51.100.7").send().await.expect("send");
        expect_cpa(forwarded, 200, "ok").await;
        // An untrusted peer's forwarding headers are ignored: plain HTTP, and its own address.
        let untrusted = client_from("127.0.0.2")
            .get(&url)
            .header("x-forwarded-proto", "https")
            .header("x-forwarded-for", "198.51.100.7")
            .send()
            .await
            .expect("send");
        expect_cpa(untrusted, 403, "HTTPS required").await;
    }
);

on_both_backends!(key_rotation_overlap_applies_to_postbacks, |app| {
    let cpa = app.setup_cpa().await;
    let rotated: Value = app
        .post_json(&format!("/api/admin/networks/{}/keys/rotate", cpa.network_id), json!({ "overlap_seconds": 1 }))
        .await
        .json()
        .await
        .expect("json");
    let new_key = rotated["key"].as_str().expect("key");
    expect_cpa(app.cpa(&cpa.key, &SEED_QUERY.replace("abc123", "during")).await, 200, "ok").await;
    tokio::time::sleep(std::time::Duration::from_millis(1300)).await;
    expect_cpa(app.cpa(&cpa.key, &SEED_QUERY.replace("abc123", "after")).await, 401, "Unauthorized").await;
    expect_cpa(app.cpa(new_key, &SEED_QUERY.replace("abc123", "new")).await, 200, "ok").await;
    assert_eq!(app.balance(SEED_PUBLISHER).await, 700);
});

on_both_backends!(hostile_strings_never_cause_a_server_error, |app| {
    let cpa = app.setup_cpa().await;
    let nine_kb = "x".repeat(9 * 1024);
    let hostile = [
        "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
        "'%3B%20DROP%20TABLE%20conversions%3B--",
        "a%00b",
        "%ff%fe%fd",
        "%",
        "%zz",
        "%E2%80%AE",
        nine_kb.as_str(),
    ];
    for (i, value) in hostile.iter().enumerate() {
        for field in
            ["offer_name", "offer_id", "country_code", "ip", "unix", "lead_id", "click_id", "s2", "status", "external_identifier", "amount"]
        {
            let query = format!("external_identifier={SEED_PUBLISHER}&amount=5&lead_id=h{i}{field}&{field}={value}");
            let response = app.cpa(&cpa.key, &query).await;
            let status = response.status().as_u16();
            assert!((200..500).contains(&status), "{field}={} gave {status}", &value[..value.len().min(40)]);
        }
    }
    let listing = app.get("/api/admin/conversions?limit=1000").await;
    assert_eq!(listing.status(), 200);
    let text = listing.text().await.expect("text");
    assert!(!text.contains('\u{0}'));
});

on_both_backends!(new_conversions_are_streamed_as_events, |app| {
    let cpa = app.setup_cpa().await;
    let mut response = app.client.get(app.url("/api/admin/events")).bearer_auth(&app.token).send().await.expect("events");
    assert_eq!(response.status(), 200);
    assert!(response.headers()["content-type"].to_str().expect("ascii").starts_with("text/event-stream"));
    expect_cpa(app.cpa(&cpa.key, SEED_QUERY).await, 200, "ok").await;
    let mut seen = String::new();
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(5);
    while !seen.contains("abc123") {
        let chunk =
            tokio::time::timeout_at(deadline, response.chunk()).await.expect("an event within 5 s").expect("chunk").expect("stream open");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    assert!(seen.contains("event: conversion"), "{seen}");
    assert!(seen.contains("\"kind\":\"created\"") && seen.contains("\"state\":\"credited\""), "{seen}");
    let anonymous = app.client.get(app.url("/api/admin/events")).send().await.expect("events");
    assert_eq!(anonymous.status(), 401);
});
