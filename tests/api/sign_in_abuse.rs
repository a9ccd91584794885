//! Sign-in under attack: a storm of password guesses cannot exhaust memory or starve other
//! doors, and behind a proxy one client's guesses lock out only that client.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use reqwest::Response;

use crate::helpers::*;
use crate::on_both_backends;

async fn sign_in_as(app: &TestApp, client_ip: &str, email: &str, password: &str) -> Response {
    app.client
        .post(app.url("/api/login"))
        .header("accept", "application/json")
        .header("x-forwarded-for", client_ip)
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .expect("login")
}

/// This process's resident memory in KiB (the server runs in-process).
fn resident_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").expect("/proc/self/status");
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmRSS:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

fn trust_localhost(settings: &mut app::server::settings::Settings) {
    settings.trusted_proxies = vec![app::domain::IpRule::parse("127.0.0.1").expect("rule")];
}

on_both_backends!(a_sign_in_storm_keeps_memory_bounded_and_other_doors_open, settings(trust_localhost), |app| {
    let cpa = app.setup_cpa().await;
    let peak = Arc::new(AtomicU64::new(resident_kib()));
    let sampling = {
        let peak = peak.clone();
        tokio::spawn(async move {
            loop {
                peak.fetch_max(resident_kib(), Ordering::Relaxed);
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
    };

    // 300 sign-ins at once, each from its own address (a botnet) with a random email.
    let storm: Vec<_> = (0..300u32)
        .map(|i| {
            let app_url = app.url("/api/login");
            let client = app.client.clone();
            tokio::spawn(async move {
                let email = format!("{}@random.example", uuid::Uuid::new_v4().simple());
                client
                    .post(app_url)
                    .header("accept", "application/json")
                    .header("x-forwarded-for", format!("198.18.{}.{}", i / 250, i % 250 + 1))
                    .form(&[("email", email.as_str()), ("password", "guess guess guess")])
                    .send()
                    .await
                    .expect("login")
            })
        })
        .collect();

    // Meanwhile the other doors answer promptly.
    tokio::time::sleep(Duration::from_millis(200)).await;
    for i in 0..5 {
        let started = Instant::now();
        let health = app.client.get(app.url("/healthz")).send().await.expect("healthz");
        assert_eq!(health.status(), 200);
        let query = SEED_QUERY.replace("lead_id=abc123", &format!("lead_id=storm{i}"));
        expect_cpa(app.cpa(&cpa.key, &query).await, 200, "ok").await;
        assert!(started.elapsed() < Duration::from_secs(5), "healthz and a CPA postback took {:?}", started.elapsed());
    }

    let mut busy = 0;
    for call in storm {
        let response = call.await.expect("task");
        match response.status().as_u16() {
            401 => {}
            429 | 503 => {
                busy += 1;
                let retry: u64 = response.headers()["retry-after"].to_str().expect("ascii").parse().expect("seconds");
                assert!(retry >= 1);
            }
            other => panic!("unexpected status {other}"),
        }
    }
    sampling.abort();
    let peak_mib = peak.load(Ordering::Relaxed) / 1024;
    eprintln!("peak resident memory {peak_mib} MiB; {busy} of 300 sign-ins told to retry later");
    assert!(peak_mib < 512, "resident memory reached {peak_mib} MiB");
});

on_both_backends!(a_proxied_client_locked_out_does_not_lock_out_others_behind_the_proxy, settings(trust_localhost), |app| {
    let attacker = "203.0.113.66";
    for _ in 0..5 {
        assert_eq!(sign_in_as(&app, attacker, ADMIN_EMAIL, "wrong password!").await.status(), 401);
    }
    let locked = sign_in_as(&app, attacker, ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(locked.status(), 429, "the guessing client waits");
    assert!(locked.headers().contains_key("retry-after"));

    // The admin, through the same proxy from another address, signs in at once.
    let admin = sign_in_as(&app, "198.51.100.7", ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert!(admin.status().is_success() || admin.status().is_redirection(), "{}", admin.status());
    // A client sending its own X-Forwarded-For through the proxy cannot pose as the admin's address:
    // the proxy appends the real one, which is what counts.
    let smuggled = sign_in_as(&app, &format!("198.51.100.7, {attacker}"), ADMIN_EMAIL, ADMIN_PASSWORD).await;
    assert_eq!(smuggled.status(), 429);
});
