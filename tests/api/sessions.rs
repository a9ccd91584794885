//! Browser sign-in through the `login` server function: cookies, throttling, CSRF, roles.

use reqwest::Response;
use serde_json::json;

use crate::helpers::*;
use crate::on_both_backends;

async fn sign_in(app: &TestApp, email: &str, password: &str) -> Response {
    app.client
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("login")
}

/// The `name=value` part of the session cookie set by `response`.
fn session_cookie(response: &Response) -> Option<(String, String)> {
    response.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find(|c| c.starts_with("taprain_session=")).map(
        |full| {
            let pair = full.split(';').next().unwrap_or_default().to_owned();
            (pair, full.to_owned())
        },
    )
}

async fn get_with_cookie(app: &TestApp, path: &str, cookie: &str) -> Response {
    app.client.get(app.url(path)).header("cookie", cookie).send().await.expect("GET")
}

on_both_backends!(sign_in_sets_a_hardened_cookie_and_cycles_the_id, |app| {
    let response = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(response.status().is_success() || response.status().is_redirection(), "{}", response.status());
    let (cookie, full) = session_cookie(&response).expect("session cookie");
    assert!(full.contains("HttpOnly"), "{full}");
    assert!(full.contains("SameSite=Lax"), "{full}");
    assert!(!full.contains("Secure"), "no Secure flag over plain HTTP in development: {full}");

    let networks = get_with_cookie(&app, "/api/admin/networks", &cookie).await;
    assert_eq!(networks.status(), 200, "the admin session authenticates the admin API");

    // Signing in again on the same session gets a new session id (no fixation).
    let again = app
        .client
        .post(app.url("/api/login"))
        .header("cookie", &cookie)
        .form(&[("email", ADMIN_EMAIL), ("password", ADMIN_PASSWORD)])
        .send()
        .await
        .expect("login");
    let (second, _) = session_cookie(&again).expect("new cookie");
    assert_ne!(cookie, second);
    assert_eq!(get_with_cookie(&app, "/api/admin/networks", &cookie).await.status(), 401, "the old id is gone");

    // Sign out ends the session.
    let out = app.client.post(app.url("/api/logout")).header("cookie", &second).send().await.expect("logout");
    assert!(out.status().is_success() || out.status().is_redirection());
    assert_eq!(get_with_cookie(&app, "/api/admin/networks", &second).await.status(), 401);
});

on_both_backends!(sessions_survive_a_restart, |app| {
    let (cookie, _) = session_cookie(&sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("cookie");
    // A second server on the same database (as after a restart) honours the session.
    let dir = std::env::temp_dir();
    let mut settings = test_settings(app.database_url.clone(), &dir);
    settings.listen = "127.0.0.1:0".parse().expect("addr");
    let second = taprain::startup::Application::build(settings).await.expect("second server");
    let address = second.address();
    tokio::spawn(second.run_until_stopped());
    let response = app.client.get(format!("http://{address}/api/admin/networks")).header("cookie", &cookie).send().await.expect("GET");
    assert_eq!(response.status(), 200);
});

on_both_backends!(wrong_passwords_are_throttled_with_retry_after, |app| {
    // Unknown emails fail like wrong passwords, and count against the address too.
    assert_eq!(sign_in(&app, "nobody@test.example", "whatever it is").await.status(), 401);
    for _ in 0..4 {
        let response = sign_in(&app, ADMIN_EMAIL, "wrong password!").await;
        assert_eq!(response.status(), 401);
        assert!(session_cookie(&response).is_none());
    }
    let response = sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(response.status(), 429, "even the right password waits out the lockout");
    let retry: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
    assert!(retry > 0 && retry <= 900);
});

on_both_backends!(cross_site_posts_with_a_cookie_are_refused, |app| {
    let (cookie, _) = session_cookie(&sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("cookie");
    let evil = app
        .client
        .post(app.url("/api/admin/networks"))
        .header("cookie", &cookie)
        .header("origin", "https://evil.example")
        .json(&json!({ "name": "csrf" }))
        .send()
        .await
        .expect("POST");
    expect_error(evil, 403).await;
    let fetch_meta = app
        .client
        .post(app.url("/api/admin/networks"))
        .header("cookie", &cookie)
        .header("sec-fetch-site", "cross-site")
        .json(&json!({ "name": "csrf" }))
        .send()
        .await
        .expect("POST");
    expect_error(fetch_meta, 403).await;
    let same = app
        .client
        .post(app.url("/api/admin/networks"))
        .header("cookie", &cookie)
        .header("origin", format!("http://{}", app.address))
        .header("sec-fetch-site", "same-origin")
        .json(&json!({ "name": "ok" }))
        .send()
        .await
        .expect("POST");
    assert_eq!(same.status(), 201);
});

on_both_backends!(publishers_cannot_use_admin_functions, |app| {
    let id = app.create_publisher("Portal user").await;
    let created = app
        .post_json(&format!("/api/admin/publishers/{id}/users"), json!({ "email": "pub@test.example", "password": "publisher password" }))
        .await;
    assert_eq!(created.status(), 201);
    let (cookie, _) = session_cookie(&sign_in(&app, "pub@test.example", "publisher password").await).expect("cookie");
    expect_error(get_with_cookie(&app, "/api/admin/networks", &cookie).await, 403).await;
    let overview = app.client.post(app.url("/api/admin_overview")).header("cookie", &cookie).send().await.expect("POST");
    assert_eq!(overview.status(), 403, "the server function checks the role itself");
    let portal = app.client.post(app.url("/api/portal_overview")).header("cookie", &cookie).send().await.expect("POST");
    assert_eq!(portal.status(), 200);
    let anonymous = app.client.post(app.url("/api/admin_overview")).send().await.expect("POST");
    assert_eq!(anonymous.status(), 401);
});

/// Every protected page in the route table, with a made-up id where the route has one.
const ADMIN_PAGES: &[&str] = &[
    "/admin",
    "/admin/feed",
    "/admin/conversions/x",
    "/admin/deliveries",
    "/admin/health",
    "/admin/offers",
    "/admin/offerwalls",
    "/admin/offerwalls/x",
    "/admin/reward",
    "/admin/reward/users/x",
    "/admin/audit",
    "/admin/secrets",
    "/admin/networks",
    "/admin/networks/x",
    "/admin/publishers",
    "/admin/publishers/x",
    "/admin/programs",
    "/admin/programs/x",
    "/admin/reports",
];
const PORTAL_PAGES: &[&str] = &["/portal", "/portal/postback", "/portal/conversions", "/portal/breakdowns", "/portal/offerwalls"];

fn location(response: &Response) -> &str {
    response.headers().get("location").and_then(|l| l.to_str().ok()).unwrap_or_default()
}

on_both_backends!(every_protected_page_sends_visitors_to_sign_in_with_a_302, |app| {
    for page in ADMIN_PAGES.iter().chain(PORTAL_PAGES) {
        let response = app.client.get(app.url(page)).send().await.expect("GET");
        assert_eq!((response.status().as_u16(), location(&response)), (302, "/login"), "{page}");
    }
    // Signed in, each role is sent home from the other role's pages, and sees its own.
    let id = app.create_publisher("Guarded").await;
    let created = app
        .post_json(&format!("/api/admin/publishers/{id}/users"), json!({ "email": "guard@test.example", "password": "publisher password" }))
        .await;
    assert_eq!(created.status(), 201);
    let (publisher, _) = session_cookie(&sign_in(&app, "guard@test.example", "publisher password").await).expect("cookie");
    let (admin, _) = session_cookie(&sign_in(&app, ADMIN_EMAIL, ADMIN_PASSWORD).await).expect("cookie");
    for page in ["/admin", "/admin/networks"] {
        let response = get_with_cookie(&app, page, &publisher).await;
        assert_eq!((response.status().as_u16(), location(&response)), (302, "/portal"), "{page}");
        assert_eq!(get_with_cookie(&app, page, &admin).await.status(), 200, "{page}");
    }
    let response = get_with_cookie(&app, "/portal", &admin).await;
    assert_eq!((response.status().as_u16(), location(&response)), (302, "/admin"));
    assert_eq!(get_with_cookie(&app, "/portal", &publisher).await.status(), 200);
});

on_both_backends!(a_deactivated_login_is_signed_out_and_cannot_sign_in, |app| {
    let id = app.create_publisher("Two logins").await;
    let mut logins = Vec::new();
    for email in ["first@test.example", "second@test.example"] {
        let created =
            app.post_json(&format!("/api/admin/publishers/{id}/users"), json!({ "email": email, "password": "publisher password" })).await;
        assert_eq!(created.status(), 201);
        logins.push(created.json::<serde_json::Value>().await.expect("json")["id"].as_str().expect("id").to_owned());
    }
    let (cookie, _) = session_cookie(&sign_in(&app, "first@test.example", "publisher password").await).expect("cookie");
    assert_eq!(get_with_cookie(&app, "/portal", &cookie).await.status(), 200);

    let off = app.patch_json(&format!("/api/admin/publishers/{id}/users/{}", logins[0]), json!({ "active": false })).await;
    assert_eq!(off.status(), 200);
    assert_eq!(off.json::<serde_json::Value>().await.expect("json")["active"], false);
    assert_eq!(get_with_cookie(&app, "/portal", &cookie).await.status(), 302, "the open session ends at its next request");
    assert_eq!(sign_in(&app, "first@test.example", "publisher password").await.status(), 401);
    let other = sign_in(&app, "second@test.example", "publisher password").await;
    assert!(session_cookie(&other).is_some(), "the publisher's other login still works");

    // Only this publisher's logins; an unknown one is a 404.
    let stranger = app.create_publisher("Stranger").await;
    let wrong = app.patch_json(&format!("/api/admin/publishers/{stranger}/users/{}", logins[1]), json!({ "active": false })).await;
    expect_error(wrong, 404).await;
    let on = app.patch_json(&format!("/api/admin/publishers/{id}/users/{}", logins[0]), json!({ "active": true })).await;
    assert_eq!(on.status(), 200);
    assert!(session_cookie(&sign_in(&app, "first@test.example", "publisher password").await).is_some());
    let audit = app.get("/api/admin/audit?action=user.").await.json::<serde_json::Value>().await.expect("json");
    let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().filter_map(|e| e["action"].as_str()).collect();
    assert!(actions.contains(&"user.deactivate") && actions.contains(&"user.reactivate"), "{actions:?}");
});
