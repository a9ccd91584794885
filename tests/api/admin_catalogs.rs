//! What the admin dashboard's catalog and audit screens need from the services, through the
//! admin API and the screens' server functions: store apps and reward games edited,
//! deactivated (then refused by the level postback like unknown ones) and reactivated; lists
//! searched; the audit log filtered by actor, action, target and day; field-level form errors.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

async fn items(app: &TestApp, path: &str) -> Vec<Value> {
    let response = app.get(path).await;
    assert_eq!(response.status(), 200, "GET {path}");
    response.json::<Value>().await.expect("json")["items"].as_array().expect("items").clone()
}

fn field(list: &[Value], name: &str) -> Vec<String> {
    list.iter().map(|v| v[name].as_str().expect("string field").to_owned()).collect()
}

on_both_backends!(deactivated_store_apps_and_games_are_refused_like_unknown_ones, |app| {
    let reward = app.setup_reward().await;
    assert_eq!(app.reward_postback(&reward.secret, seed_level(5)).await.status(), 200);

    // A deactivated store app: the postback gets the unknown-pid answer, nothing is recorded.
    let off = app.patch_json(&format!("/api/admin/store-apps/{SEED_PID}"), json!({ "active": false })).await;
    assert_eq!(off.status(), 200);
    let off: Value = off.json().await.expect("json");
    assert_eq!((off["active"].clone(), off["name"].clone()), (json!(false), json!("Cash Giraffe")));
    let unknown =
        app.reward_postback(&reward.secret, json!({ "pid": "nobody", "uid": SEED_UID, "gid": SEED_GID, "level_number": 10 })).await;
    let unknown = expect_error(unknown, 400).await;
    assert_eq!(expect_error(app.reward_postback(&reward.secret, seed_level(10)).await, 400).await, unknown);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 25, "only level 5 was credited");

    // Reactivated, it works again; then the game is deactivated and refused like an unknown gid.
    let on = app.patch_json(&format!("/api/admin/store-apps/{SEED_PID}"), json!({ "active": true })).await;
    assert_eq!(on.status(), 200);
    assert_eq!(app.reward_postback(&reward.secret, seed_level(10)).await.status(), 200);
    let game = app.patch_json(&format!("/api/admin/reward-games/{SEED_GID}"), json!({ "active": false, "name": " Renamed " })).await;
    assert_eq!(game.status(), 200);
    let game: Value = game.json().await.expect("json");
    assert_eq!((game["active"].clone(), game["name"].clone()), (json!(false), json!("Renamed")));
    let unknown_game =
        app.reward_postback(&reward.secret, json!({ "pid": SEED_PID, "uid": SEED_UID, "gid": "nope", "level_number": 15 })).await;
    let unknown_game = expect_error(unknown_game, 400).await;
    assert_eq!(expect_error(app.reward_postback(&reward.secret, seed_level(15)).await, 400).await, unknown_game);
    assert_eq!(app.reward_coins(&reward.secret, SEED_UID).await, 50);
    let listed: Value = app.get(&format!("/api/admin/reward-games/{SEED_GID}")).await.json().await.expect("json");
    assert_eq!(listed["active"], false);

    // Errors: unknown entries, bad names, bad bodies.
    expect_error(app.patch_json("/api/admin/store-apps/missing", json!({ "active": false })).await, 404).await;
    expect_error(app.patch_json("/api/admin/reward-games/missing", json!({ "name": "x" })).await, 404).await;
    expect_error(app.get("/api/admin/store-apps/missing").await, 404).await;
    let message = expect_error(app.patch_json(&format!("/api/admin/store-apps/{SEED_PID}"), json!({ "name": "" })).await, 422).await;
    assert!(message.starts_with("name"), "{message}");
    expect_error(app.patch_json(&format!("/api/admin/store-apps/{SEED_PID}"), json!({ "active": "no" })).await, 422).await;
    let anonymous = app.client.patch(app.url(&format!("/api/admin/store-apps/{SEED_PID}"))).json(&json!({ "active": false })).send().await;
    expect_error(anonymous.expect("send"), 401).await;

    // Every change is audited with an action that says what happened.
    let audit = items(&app, "/api/admin/audit?limit=100").await;
    let actions = field(&audit, "action");
    for action in ["store_app.deactivate", "store_app.activate", "reward_game.update"] {
        assert!(actions.contains(&action.to_owned()), "{action} in {actions:?}");
    }

    let doc: Value = app.client.get(app.url("/api/openapi.json")).send().await.expect("send").json().await.expect("json");
    assert!(doc["paths"]["/api/admin/store-apps/{pid}"]["patch"].is_object());
    assert!(doc["paths"]["/api/admin/reward-games/{id}"]["patch"].is_object());
});

on_both_backends!(catalog_lists_are_searched_filtered_and_paged, |app| {
    for (pid, name) in [("alpha_app", "Alpha"), ("beta_app", "Beta 50%"), ("gamma", "Gamma_x")] {
        assert_eq!(app.post_json("/api/admin/store-apps", json!({ "pid": pid, "name": name })).await.status(), 201);
    }
    assert_eq!(app.patch_json("/api/admin/store-apps/gamma", json!({ "active": false })).await.status(), 200);
    assert_eq!(field(&items(&app, "/api/admin/store-apps?q=APP").await, "pid"), vec!["alpha_app", "beta_app"]);
    assert_eq!(field(&items(&app, "/api/admin/store-apps?q=50%25").await, "pid"), vec!["beta_app"], "% is literal");
    assert_eq!(field(&items(&app, "/api/admin/store-apps?q=a_x").await, "pid"), vec!["gamma"], "_ is literal");
    assert_eq!(field(&items(&app, "/api/admin/store-apps?active=false").await, "pid"), vec!["gamma"]);
    assert_eq!(field(&items(&app, "/api/admin/store-apps?limit=1&offset=1").await, "pid"), vec!["beta_app"]);
    expect_error(app.get("/api/admin/store-apps?active=maybe").await, 400).await;

    let publisher = app.create_publisher("Search Pub").await;
    for name in ["Summer Sale", "Winter Deal"] {
        let offer = json!({ "name": name, "payout_cents": 100, "url_template": "https://adv.example/?c={click_id}" });
        assert_eq!(app.post_json("/api/admin/offers", offer).await.status(), 201);
        let wall = json!({ "publisher_id": publisher, "name": format!("{name} wall") });
        assert_eq!(app.post_json("/api/admin/offerwalls", wall).await.status(), 201);
    }
    assert_eq!(field(&items(&app, "/api/admin/offers?q=summer").await, "name"), vec!["Summer Sale"]);
    assert_eq!(field(&items(&app, "/api/admin/offerwalls?q=WINTER").await, "name"), vec!["Winter Deal wall"]);

    let reward = app.setup_reward().await;
    let other = app.reward_post(&reward.secret, "/api/reward/users", json!({ "appId": "other-app", "deviceId": "pixel-9" })).await;
    assert_eq!(other.status(), 201);
    assert_eq!(items(&app, "/api/admin/reward-users?q=PIXEL").await.len(), 1);
    assert_eq!(field(&items(&app, "/api/admin/reward-users?q=a1b2c3d4").await, "id"), vec![SEED_UID]);

    // Hostile search text is searched for, never an error.
    let long = "%25".repeat(300);
    for list in ["offers", "offerwalls", "store-apps", "reward-games", "reward-users"] {
        assert_eq!(app.get(&format!("/api/admin/{list}?q=%00%0A")).await.status(), 200, "{list}");
        assert_eq!(app.get(&format!("/api/admin/{list}?q={long}")).await.status(), 200, "{list}");
    }
    assert_eq!(app.get("/api/admin/offerwalls?publisher=%00").await.status(), 200);
    assert_eq!(app.get("/api/admin/audit?actor=%00&target=%00&action=%00").await.status(), 200);
});

on_both_backends!(the_audit_log_is_filtered_by_actor_action_target_and_day, |app| {
    let publisher = app.create_publisher("Audited").await;
    let offer = app.post_json("/api/admin/offers", json!({ "name": "A", "payout_cents": 5, "url_template": "https://a.example/" })).await;
    let offer: Value = offer.json().await.expect("json");
    let offer_id = offer["id"].as_str().expect("id");
    assert_eq!(app.patch_json(&format!("/api/admin/offers/{offer_id}"), json!({ "active": false })).await.status(), 200);

    let all = items(&app, "/api/admin/audit").await;
    assert!(all.len() >= 3);
    assert!(all.windows(2).all(|w| w[0]["id"].as_i64() > w[1]["id"].as_i64()), "newest first");
    assert_eq!(all[0]["action"], "offer.deactivate");
    assert_eq!(all[0]["actor_email"], ADMIN_EMAIL, "the token's owner is named");

    assert_eq!(field(&items(&app, "/api/admin/audit?action=offer.").await, "action"), vec!["offer.deactivate", "offer.create"]);
    assert_eq!(field(&items(&app, &format!("/api/admin/audit?target={publisher}")).await, "action"), vec!["publisher.create"]);
    // Everything but the command line's creation of the admin was done with the admin's token.
    let by_token = all.iter().filter(|e| e["actor"].as_str().is_some_and(|a| a.starts_with("token:"))).count();
    assert_eq!(by_token, all.len() - 1);
    assert_eq!(items(&app, "/api/admin/audit?actor=ADMIN@test").await.len(), by_token);
    assert_eq!(items(&app, "/api/admin/audit?actor=token:").await.len(), by_token);
    assert_eq!(field(&items(&app, "/api/admin/audit?actor=cli").await, "action"), vec!["user.create"]);
    assert!(items(&app, "/api/admin/audit?actor=someone-else").await.is_empty());

    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    assert_eq!(items(&app, &format!("/api/admin/audit?from={today}&to={today}")).await.len(), all.len());
    assert!(items(&app, "/api/admin/audit?from=2000-01-01&to=2000-01-02").await.is_empty());
    assert_eq!(field(&items(&app, "/api/admin/audit?limit=1&offset=1").await, "action"), vec!["offer.create"]);
    let message = expect_error(app.get("/api/admin/audit?from=yesterday").await, 422).await;
    assert!(message.starts_with("from"), "{message}");
    let message = expect_error(app.get("/api/admin/audit?from=2025-02-02&to=2025-02-01").await, 422).await;
    assert!(message.starts_with("to"), "{message}");
});

/// The admin's session cookie, from signing in through the login server function.
async fn admin_cookie(app: &TestApp) -> String {
    let response = app
        .client
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("login");
    let cookie =
        response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("taprain_session="));
    cookie.expect("session cookie").split(';').next().expect("pair").to_owned()
}

on_both_backends!(the_offer_form_names_the_wrong_field_and_stores_exact_cents, |app| {
    let cookie = admin_cookie(&app).await;
    let save = |payout: &'static str, url: &'static str| {
        let request = app.client.post(app.url("/api/admin_offer_save")).header("cookie", cookie.clone()).form(&[
            ("id", ""),
            ("form[name]", "Form offer"),
            ("form[payout]", payout),
            ("form[url_template]", url),
            ("form[countries]", "us, de"),
            ("form[device]", "mobile"),
            ("form[description]", ""),
        ]);
        async move { request.send().await.expect("POST") }
    };
    let wrong = save("1.255", "https://adv.example/?c={click_id}").await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["Field"]["field"], "payout", "{body}");
    let wrong = save("2", "https://adv.example/?c={sub9}").await;
    assert_eq!(wrong.status(), 422);
    let body: Value = wrong.json().await.expect("json");
    assert_eq!(body["Field"]["field"], "url_template", "{body}");
    assert!(body["Field"]["message"].as_str().expect("message").contains("{sub9}"), "{body}");

    let saved = save("0.29", "https://adv.example/?c={click_id}").await;
    assert_eq!(saved.status(), 200);
    let offers = items(&app, "/api/admin/offers").await;
    assert_eq!(offers[0]["payout_cents"], 29);
    assert_eq!(offers[0]["countries"], json!(["DE", "US"]));
    let audit = items(&app, "/api/admin/audit?action=offer.create").await;
    assert!(audit[0]["actor"].as_str().expect("actor").starts_with("user:"), "audited as the signed-in admin");

    let anonymous = app
        .client
        .post(app.url("/api/admin_offer_save"))
        .form(&[
            ("id", ""),
            ("form[name]", "x"),
            ("form[payout]", "1"),
            ("form[url_template]", "https://a.example/"),
            ("form[countries]", ""),
            ("form[device]", ""),
            ("form[description]", ""),
        ])
        .send()
        .await
        .expect("POST");
    assert_eq!(anonymous.status(), 401);
});

on_both_backends!(the_reward_and_audit_screens_name_the_wrong_field, |app| {
    let cookie = admin_cookie(&app).await;
    let call = |endpoint: &'static str, form: Vec<(&'static str, String)>| {
        let request = app.client.post(app.url(endpoint)).header("cookie", cookie.clone()).form(&form);
        async move {
            let response = request.send().await.expect("POST");
            let status = response.status().as_u16();
            (status, response.json::<Value>().await.expect("json"))
        }
    };
    let register = |id: &str| vec![("catalog", "StoreApps".to_owned()), ("id", id.to_owned()), ("name", "Cash Giraffe".to_owned())];
    let (status, created) = call("/api/admin_reward_catalog_create", register("cashgiraffe")).await;
    assert_eq!((status, created["id"].clone(), created["active"].clone()), (200, json!("cashgiraffe"), json!(true)));
    let (status, again) = call("/api/admin_reward_catalog_create", register("cashgiraffe")).await;
    assert_eq!((status, again["Field"]["field"].clone()), (409, json!("id")), "{again}");
    let (status, bad) = call("/api/admin_reward_catalog_create", register(" padded")).await;
    assert_eq!((status, bad["Field"]["field"].clone()), (422, json!("id")), "{bad}");

    let edit = vec![("catalog", "StoreApps".to_owned()), ("id", "cashgiraffe".to_owned()), ("active", "false".to_owned())];
    let (status, edited) = call("/api/admin_reward_catalog_update", edit).await;
    assert_eq!((status, edited["active"].clone()), (200, json!(false)), "{edited}");
    let audit = items(&app, "/api/admin/audit?action=store_app.deactivate").await;
    assert!(audit[0]["actor"].as_str().expect("actor").starts_with("user:"));
    assert_eq!(audit[0]["actor_email"], ADMIN_EMAIL);

    let filters = |from: &str, to: &str| {
        vec![
            ("query[actor]", String::new()),
            ("query[action]", "store_app.".to_owned()),
            ("query[target]", String::new()),
            ("query[from]", from.to_owned()),
            ("query[to]", to.to_owned()),
            ("offset", "0".to_owned()),
        ]
    };
    let (status, page) = call("/api/admin_audit", filters("", "")).await;
    assert_eq!((status, page["items"].as_array().map(Vec::len)), (200, Some(2)), "{page}");
    assert_eq!(page["total"], 2);
    let (status, wrong) = call("/api/admin_audit", filters("2025-02-02", "2025-02-01")).await;
    assert_eq!((status, wrong["Field"]["field"].clone()), (422, json!("to")), "{wrong}");
});

on_both_backends!(offer_urls_with_a_macro_in_the_host_are_refused, |app| {
    for url in ["https://trk{s1}/go", "https://trk.example:{s2}/go", "https://user{uid}@trk.example/go"] {
        let response = app.post_json("/api/admin/offers", json!({ "name": "Hijack", "payout_cents": 5, "url_template": url })).await;
        let message = expect_error(response, 422).await;
        assert!(message.starts_with("url_template:") && message.contains("host"), "{url}: {message}");
    }
    let fine =
        app.post_json("/api/admin/offers", json!({ "name": "Fine", "payout_cents": 5, "url_template": "https://trk.example/{s1}" })).await;
    assert_eq!(fine.status(), 201);
    let id = fine.json::<Value>().await.expect("json")["id"].as_str().expect("id").to_owned();
    let edit = app.patch_json(&format!("/api/admin/offers/{id}"), json!({ "url_template": "https://trk{s1}/go" })).await;
    expect_error(edit, 422).await;
});
