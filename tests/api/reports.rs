//! Reports and CSV exports (`/api/admin/reports`, `/api/admin/reports.csv`,
//! `/api/admin/conversions.csv`, `/portal/conversions.csv`) and the portal's server functions:
//! days cut in the asked time zone, figures per group, streamed CSV, and publishers kept to
//! their own data.

use app::domain::report::ReportParams;
use app::server::clock::now_ms;
use app::server::reports::{self, ReportQuery};
use reqwest::Response;
use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

/// Unix ms of an RFC 3339 time.
fn ms(rfc3339: &str) -> i64 {
    chrono::DateTime::parse_from_rfc3339(rfc3339).expect("time").timestamp_millis()
}

impl TestApp {
    /// Moves the conversion with `lead_id` to `at` (unix ms).
    async fn backdate(&self, lead_id: &str, at: i64) {
        sqlx::query("UPDATE conversions SET created_at = $1 WHERE lead_id = $2")
            .bind(at)
            .bind(lead_id)
            .execute(self.db.pool())
            .await
            .expect("backdate");
    }

    async fn report(&self, query: &str) -> Value {
        let response = self.get(&format!("/api/admin/reports?{query}")).await;
        assert_eq!(response.status(), 200, "{query}");
        response.json().await.expect("json")
    }

    /// A login for `publisher`, signed in; returns the session cookie (`name=value`).
    async fn publisher_cookie(&self, publisher: &str, email: &str) -> String {
        let created = self
            .post_json(&format!("/api/admin/publishers/{publisher}/users"), json!({ "email": email, "password": "publisher password" }))
            .await;
        assert_eq!(created.status(), 201);
        let response = self
            .client
            .post(self.url("/api/login"))
            .header("accept", "application/json")
            .form(&[("email", email), ("password", "publisher password")])
            .send()
            .await
            .expect("login");
        let cookie = response
            .headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find(|c| c.starts_with("taprain_session="))
            .map(|c| c.split(';').next().unwrap_or_default().to_owned());
        match cookie {
            Some(cookie) => cookie,
            None => panic!("no session cookie: {} {}", response.status(), response.text().await.unwrap_or_default()),
        }
    }

    async fn with_cookie(&self, path: &str, cookie: &str) -> Response {
        self.client.get(self.url(path)).header("cookie", cookie).send().await.expect("GET")
    }

    /// Calls server function `endpoint` with a form body, as the browser does.
    async fn server_fn(&self, endpoint: &str, cookie: &str, form: &[(&str, &str)]) -> Response {
        self.client.post(self.url(&format!("/api/{endpoint}"))).header("cookie", cookie).form(form).send().await.expect("POST")
    }
}

fn rows(report: &Value) -> Vec<(String, i64)> {
    report["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| (r["key"].as_str().expect("key").to_owned(), r["conversions"].as_i64().expect("n")))
        .collect()
}

fn csv_lines(body: &str) -> Vec<&str> {
    body.lines().collect()
}

on_both_backends!(days_are_cut_in_the_asked_time_zone, |app| {
    let cpa = app.setup_cpa().await;
    for lead in ["late-sat", "sun-early", "sun-late"] {
        let q = format!("external_identifier={SEED_PUBLISHER}&status=1&amount=100&country_code=DE&lead_id={lead}");
        expect_cpa(app.cpa(&cpa.key, &q).await, 200, "ok").await;
    }
    // Around the 2025-03-30 spring-forward in Berlin (CET → CEST at 01:00 UTC).
    app.backdate("late-sat", ms("2025-03-29T22:30:00Z")).await; // Berlin Sat 23:30
    app.backdate("sun-early", ms("2025-03-29T23:30:00Z")).await; // Berlin Sun 00:30, still Sat in UTC
    app.backdate("sun-late", ms("2025-03-30T21:30:00Z")).await; // Berlin Sun 23:30 CEST

    let berlin = app.report("group=day&from=2025-03-29&to=2025-03-31&tz=Europe/Berlin").await;
    assert_eq!(berlin["tz"], "Europe/Berlin");
    assert_eq!(rows(&berlin), vec![("2025-03-29".into(), 1), ("2025-03-30".into(), 2), ("2025-03-31".into(), 0)]);
    assert_eq!(berlin["totals"]["conversions"], 3);
    assert_eq!(berlin["totals"]["payout_cents"], 300);

    let utc = app.report("group=day&from=2025-03-29&to=2025-03-31&tz=UTC").await;
    assert_eq!(rows(&utc), vec![("2025-03-29".into(), 2), ("2025-03-30".into(), 1), ("2025-03-31".into(), 0)]);

    // Tokyo (UTC+9) puts all three on Sunday or Monday.
    let tokyo = app.report("group=day&from=2025-03-30&to=2025-03-31&tz=Asia/Tokyo").await;
    assert_eq!(rows(&tokyo), vec![("2025-03-30".into(), 2), ("2025-03-31".into(), 1)]);

    // The range bounds are local too: Berlin's Sunday alone.
    let sunday = app.report("group=country&from=2025-03-30&to=2025-03-30&tz=Europe/Berlin").await;
    assert_eq!(rows(&sunday), vec![("DE".into(), 2)]);
});

on_both_backends!(groups_count_credited_held_reversed_and_payouts, |app| {
    let cpa = app.setup_cpa().await;
    let other = app.create_publisher("Other Publisher").await;
    let send = |query: String| {
        let key = cpa.key.clone();
        let app = &app;
        async move { expect_cpa(app.cpa(&key, &query).await, 200, "ok").await }
    };
    let base = format!("external_identifier={SEED_PUBLISHER}&ip=203.0.113.45&offer_id=o1&offer_name=Shein");
    send(format!("{base}&status=1&amount=350&country_code=US&lead_id=a")).await;
    send(format!("{base}&status=1&amount=150&country_code=US&lead_id=b")).await;
    send(format!("{base}&status=1&amount=60000&country_code=US&lead_id=held")).await;
    send(format!("{base}&status=1&amount=200&country_code=FR&lead_id=rev")).await;
    send(format!("{base}&status=2&amount=200&country_code=FR&lead_id=rev")).await;
    send(format!("external_identifier={other}&status=1&amount=999&country_code=GB&lead_id=o&offer_id=o2&offer_name=Temu")).await;

    let by_country = app.report("group=country").await;
    let us = by_country["rows"].as_array().expect("rows").iter().find(|r| r["key"] == "US").expect("US").clone();
    assert_eq!((us["conversions"].as_i64(), us["credited"].as_i64(), us["held"].as_i64()), (Some(3), Some(2), Some(1)));
    assert_eq!(us["payout_cents"], 500, "held amounts are not paid");
    let fr = by_country["rows"].as_array().expect("rows").iter().find(|r| r["key"] == "FR").expect("FR").clone();
    assert_eq!((fr["reversed"].as_i64(), fr["payout_cents"].as_i64()), (Some(1), Some(0)));
    assert_eq!(by_country["rows"][0]["key"], "US", "largest group first");

    let by_offer = app.report(&format!("group=offer&publisher={SEED_PUBLISHER}")).await;
    assert_eq!(rows(&by_offer), vec![("o1".into(), 4)], "the publisher filter leaves the other publisher out");
    assert_eq!(by_offer["rows"][0]["label"], "Shein");

    let by_network = app.report("group=network").await;
    assert_eq!(by_network["rows"][0]["key"], cpa.network_id.as_str());
    assert_eq!(by_network["rows"][0]["label"], "Seed Network");
    let other_network = app.report("group=network&network=nw_unknown").await;
    assert!(other_network["rows"].as_array().expect("rows").is_empty());

    // Only the largest groups are listed when there are more than asked for; the CSV has all.
    let params = ReportParams { group: "country".into(), ..ReportParams::default() };
    let query = ReportQuery { max_groups: 1, ..ReportQuery::parse(&params, now_ms()).expect("query") };
    let top = reports::run(&app.db, &query).await.expect("report");
    assert_eq!((top.rows.len(), top.truncated, top.rows[0].key.as_str()), (1, true, "US"));
    assert_eq!(by_country["truncated"], false);
    let csv = app.get("/api/admin/reports.csv?group=country").await.text().await.expect("body");
    assert_eq!(csv_lines(&csv).len(), 4, "header, US, FR, GB");

    let by_day = app.report("group=day").await;
    assert_eq!(by_day["rows"].as_array().expect("rows").len(), 30, "the last 30 days by default");
    assert_eq!(by_day["totals"]["payout_cents"], 500 + 999);
});

on_both_backends!(report_queries_are_validated_and_need_an_admin, |app| {
    for (query, field) in [
        ("tz=Mars/Base", "tz"),
        ("group=week", "group"),
        ("from=2025-02-30", "from"),
        ("from=2025-03-02&to=2025-03-01", "from"),
        ("from=2020-01-01&to=2025-01-01", "to"),
    ] {
        let message = expect_error(app.get(&format!("/api/admin/reports?{query}")).await, 422).await;
        assert!(message.starts_with(field), "{query}: {message}");
        expect_error(app.get(&format!("/api/admin/reports.csv?{query}")).await, 422).await;
    }
    let anonymous = app.client.get(app.url("/api/admin/reports")).send().await.expect("GET");
    expect_error(anonymous, 401).await;
    let anonymous = app.client.get(app.url("/api/admin/conversions.csv")).send().await.expect("GET");
    expect_error(anonymous, 401).await;
    let openapi: Value = app.get("/api/openapi.json").await.json().await.expect("json");
    for path in ["/api/admin/reports", "/api/admin/reports.csv", "/api/admin/conversions.csv"] {
        assert!(openapi["paths"][path]["get"].is_object(), "{path} is documented");
    }
});

on_both_backends!(report_csv_is_an_attachment_with_escaped_cells, |app| {
    let cpa = app.setup_cpa().await;
    let q =
        format!("external_identifier={SEED_PUBLISHER}&status=1&amount=1234&country_code=US&lead_id=x&s2=%3D1%2B2&offer_name=A%2C%22B%22");
    expect_cpa(app.cpa(&cpa.key, &q).await, 200, "ok").await;
    let response = app.get("/api/admin/reports.csv?group=s2").await;
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-type"], "text/csv; charset=utf-8");
    let disposition = response.headers()["content-disposition"].to_str().expect("ascii").to_owned();
    assert!(disposition.starts_with("attachment; filename=\"taprain-report-s2-"), "{disposition}");
    let body = response.text().await.expect("body");
    assert_eq!(
        csv_lines(&body),
        vec!["s2,label,conversions,credited,held,reversed,payout,payout_cents", "'=1+2,'=1+2,1,1,0,0,$12.34,1234"]
    );

    let conversions = app.get("/api/admin/conversions.csv").await.text().await.expect("body");
    let lines = csv_lines(&conversions);
    assert!(lines[0].starts_with("id,time,status,source,network_id,publisher_id,offer_id,offer_name"), "{}", lines[0]);
    assert_eq!(lines.len(), 2);
    assert!(lines[1].contains(",\"A,\"\"B\"\"\","), "quoted offer name: {}", lines[1]);
    assert!(lines[1].contains(",'=1+2,"), "formula neutralised: {}", lines[1]);
});

on_both_backends!(conversion_csv_streams_every_row_across_pages, |app| {
    let publisher = app.create_publisher("Bulk").await;
    // 2,345 conversions, many sharing a timestamp, so pages must break ties on the id.
    let total = 2345;
    let base = ms("2025-06-01T12:00:00Z");
    for chunk in (0..total).collect::<Vec<i64>>().chunks(200) {
        let values: Vec<String> = chunk
            .iter()
            .map(|i| {
                format!(
                    "('cnv_bulk{i:05}', 'cpa', 'bulk', 'k{i}', '{publisher}', 'credited', 100, '', {at}, {at}, {at})",
                    at = base + (i / 7) * 1000
                )
            })
            .collect();
        sqlx::query(&format!(
            "INSERT INTO conversions (id, source, scope, dedup_key, publisher_id, state, amount_cents, reasons, event_at, created_at, updated_at) VALUES {}",
            values.join(", ")
        ))
        .execute(app.db.pool())
        .await
        .expect("insert");
    }
    let response = app.get("/api/admin/conversions.csv?from=2025-06-01&to=2025-06-01&tz=UTC").await;
    assert_eq!(response.status(), 200);
    assert!(response.headers().get("content-length").is_none(), "streamed, not buffered");
    let body = response.text().await.expect("body");
    let lines = csv_lines(&body);
    assert_eq!(lines.len() as i64, total + 1, "header and every row once");
    let mut ids: Vec<&str> = lines[1..].iter().map(|l| l.split(',').next().unwrap_or_default()).collect();
    assert_eq!(ids[0], "cnv_bulk02344", "newest first");
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len() as i64, total, "no row repeated or lost at page edges");
    // Filters apply: another day holds none.
    let empty = app.get("/api/admin/conversions.csv?from=2025-06-02&to=2025-06-02").await.text().await.expect("body");
    assert_eq!(csv_lines(&empty).len(), 1);
});

on_both_backends!(publishers_see_only_their_own_conversions_and_reports, |app| {
    let cpa = app.setup_cpa().await;
    let other = app.create_publisher("Rival").await;
    for (publisher, lead, s1) in [(SEED_PUBLISHER, "mine", "alpha"), (other.as_str(), "theirs", "beta")] {
        let q = format!("external_identifier={publisher}&status=1&amount=500&country_code=US&lead_id={lead}");
        expect_cpa(app.cpa(&cpa.key, &q).await, 200, "ok").await;
        sqlx::query("UPDATE conversions SET s1 = $1 WHERE lead_id = $2").bind(s1).bind(lead).execute(app.db.pool()).await.expect("s1");
    }
    let cookie = app.publisher_cookie(SEED_PUBLISHER, "seed@pub.example").await;

    // The CSV: own rows only, whatever publisher the query names.
    for path in ["/portal/conversions.csv", &format!("/portal/conversions.csv?publisher={other}")] {
        let response = app.with_cookie(path, &cookie).await;
        assert_eq!(response.status(), 200);
        assert!(response.headers()["content-disposition"].to_str().expect("ascii").starts_with("attachment"));
        let body = response.text().await.expect("body");
        let lines = csv_lines(&body);
        assert_eq!(lines[0], "id,time,status,offer_id,offer_name,country,s1,s2,payout,payout_cents,click_id");
        assert_eq!(lines.len(), 2, "{body}");
        assert!(lines[1].contains(",alpha,") && !body.contains("beta"), "{body}");
    }

    // The server functions take the publisher from the session too.
    let report = app.server_fn("portal_report", &cookie, &[("params[group]", "s1"), ("params[publisher]", &other)]).await;
    assert_eq!(report.status(), 200);
    let report: Value = report.json().await.expect("json");
    assert_eq!(rows(&report), vec![("alpha".into(), 1)]);
    let listing = app.server_fn("portal_conversions", &cookie, &[("params[publisher]", &other)]).await;
    assert_eq!(listing.status(), 200);
    let listing: Value = listing.json().await.expect("json");
    assert_eq!(listing["rows"].as_array().expect("rows").len(), 1);
    assert_eq!(listing["rows"][0]["s1"], "alpha");
    let by_network = app.server_fn("portal_report", &cookie, &[("params[group]", "network")]).await;
    assert_eq!(by_network.status(), 422, "networks stay hidden from publishers");
    let earnings = app.server_fn("portal_earnings", &cookie, &[("tz", "UTC")]).await;
    let earnings: Value = earnings.json().await.expect("json");
    assert_eq!((earnings["today_cents"].as_i64(), earnings["last_30_cents"].as_i64()), (Some(500), Some(500)));

    // Admin data stays closed to publishers; the portal CSV to strangers and admins.
    expect_error(app.with_cookie("/api/admin/reports", &cookie).await, 403).await;
    expect_error(app.with_cookie("/api/admin/conversions.csv", &cookie).await, 403).await;
    assert_eq!(app.server_fn("admin_report", &cookie, &[("params[group]", "day")]).await.status(), 403);
    let anonymous = app.client.get(app.url("/portal/conversions.csv")).send().await.expect("GET");
    expect_error(anonymous, 401).await;
    let as_admin = app.client.get(app.url("/portal/conversions.csv")).bearer_auth(&app.token).send().await.expect("GET");
    expect_error(as_admin, 401).await;
});
