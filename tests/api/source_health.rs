//! `GET /api/admin/health/sources`: figures match a known mix of calls for every kind of source
//! (network, program, reward secret, offerwall provider), a silent source is flagged, calls refused
//! before their sender was known count for nobody.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;
use crate::provider_kit::*;

async fn sources(app: &TestApp) -> Vec<Value> {
    let response = app.get("/api/admin/health/sources").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

fn find<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id} missing from {items:?}"))
}

fn now_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64
}

/// Logs 20 accepted calls from the source named by `column` = `id`, one every 5 minutes until 3
/// hours ago, each taking 1.5 ms.
async fn called_until_three_hours_ago(app: &TestApp, source: &str, column: &str, id: &str) {
    let now = now_ms();
    for i in 0..20_i64 {
        sqlx::query(&format!(
            "INSERT INTO postback_log (received_at, source, {column}, source_ip, outcome, http_status, reason, latency_us, params) \
             VALUES ($1, $2, $3, '127.0.0.1', 'ok', 200, '', 1500, '{{}}')"
        ))
        .bind(now - 3 * 3_600_000 - i * 300_000)
        .bind(source)
        .bind(id)
        .execute(app.db.pool())
        .await
        .expect("insert");
    }
}

fn counts(accepted: i64, held: i64, refused: i64) -> Value {
    json!({ "accepted": accepted, "held": held, "refused": refused })
}

on_both_backends!(figures_match_a_known_mix_and_a_silent_source_is_flagged, |app| {
    let cpa = app.setup_cpa().await;
    for lead in ["h-1", "h-2", "h-3"] {
        expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=100&lead_id={lead}")).await, 200, "ok").await;
    }
    // A repeat is acknowledged again: accepted, not a new conversion.
    expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=100&lead_id=h-1")).await, 200, "ok").await;
    // Above the amount ceiling: held.
    expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=60000&lead_id=h-4")).await, 200, "ok").await;
    // Refused with the network known: a missing field twice, an unknown publisher once.
    for _ in 0..2 {
        assert_eq!(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&lead_id=h-5")).await.status(), 400);
    }
    assert_eq!(app.cpa(&cpa.key, "external_identifier=nobody&amount=100&lead_id=h-6").await.status(), 404);

    // Another network that called every 5 minutes until 3 hours ago.
    let (quiet, _) = app.create_network("Quiet network").await;
    called_until_three_hours_ago(&app, "cpa", "network_id", &quiet).await;
    // A network that never called is listed without flags.
    let (never, _) = app.create_network("Never called").await;

    let items = sources(&app).await;
    assert_eq!(items.len(), 3);
    let busy = find(&items, &cpa.network_id);
    assert_eq!(busy["kind"], "network");
    assert_eq!(busy["last_hour"], json!({ "accepted": 4, "held": 1, "refused": 3 }), "{busy}");
    assert_eq!(busy["last_day"], json!({ "accepted": 4, "held": 1, "refused": 3 }));
    assert_eq!(busy["top_refusals"][0]["count"], 2, "{busy}");
    assert!(busy["top_refusals"][0]["reason"].as_str().expect("reason").contains("amount"), "{busy}");
    assert_eq!(busy["top_refusals"][1]["count"], 1);
    assert!(busy["p50_ms"].as_f64().expect("p50") > 0.0);
    assert!(busy["p99_ms"].as_f64().expect("p99") >= busy["p50_ms"].as_f64().expect("p50"));
    assert!(busy["last_call_at"].as_i64().expect("last call") > now_ms() - 60_000);
    assert_eq!(busy["flags"], json!([]));

    let quiet = find(&items, &quiet);
    assert_eq!(quiet["flags"], json!(["silent"]), "{quiet}");
    assert_eq!(quiet["last_hour"], json!({ "accepted": 0, "held": 0, "refused": 0 }));
    assert_eq!(quiet["last_day"]["accepted"], 20);
    assert_eq!(quiet["p50_ms"], 1.5);
    assert_eq!(items[0]["id"], quiet["id"], "flagged sources come first");

    let never = find(&items, &never);
    assert_eq!(never["last_call_at"], Value::Null);
    assert_eq!(never["flags"], json!([]));

    // Admins only.
    let anonymous = app.client.get(app.url("/api/admin/health/sources")).send().await.expect("GET");
    assert_eq!(anonymous.status(), 401);
    let screen = app.client.post(app.url("/api/admin_source_health")).form(&[("kind", ""), ("id", "")]).send().await.expect("POST");
    assert_eq!(screen.status(), 401, "the Health screen's server function checks the role itself");
});

on_both_backends!(every_kind_of_source_has_its_figures, |app| {
    // A program: two conversions, one repeated (201 again: accepted), two refused for a field
    // once its key was known, and a wrong key that names no program.
    let program = app.setup_program().await;
    for external_id in ["o-1", "o-2", "o-1"] {
        let call = json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "100", "external_id": external_id });
        expect_created(app.v1_post(&program.key, "/api/v1/conversions", call).await).await;
    }
    for _ in 0..2 {
        let call = json!({ "referral_code": SEED_REFERRAL_CODE, "amount": "ten", "external_id": "o-3" });
        expect_field_error(app.v1_post(&program.key, "/api/v1/conversions", call).await, "amount").await;
    }
    assert_eq!(app.v1_post("tap_wrong", "/api/v1/conversions", seed_conversion()).await.status(), 401);

    // A reward secret: a level, the same level again (a duplicate is accepted), an unknown game
    // and an unknown user refused; a wrong secret names no secret.
    let reward = app.setup_reward().await;
    assert_eq!(app.reward_postback(&reward.secret, seed_level(1)).await.status(), 200);
    assert_eq!(app.reward_postback(&reward.secret, seed_level(1)).await.status(), 200);
    let mut unknown_game = seed_level(2);
    unknown_game["gid"] = json!("no_such_game");
    assert_eq!(app.reward_postback(&reward.secret, unknown_game).await.status(), 400);
    let mut unknown_user = seed_level(2);
    unknown_user["uid"] = json!("0b0b0b0b-1111-2222-3333-444444444444");
    assert_eq!(app.reward_postback(&reward.secret, unknown_user).await.status(), 404);
    assert_eq!(app.reward_postback("rws_wrong", seed_level(3)).await.status(), 401);
    let (unused_secret, _) = app.create_reward_secret().await;

    // A provider: a credit, its repeat (DUP), three calls with a wrong signature, and a call to a
    // provider that does not exist.
    let provider = app.provider(json!({ "name": "Medioot", "preset": "medioot", "secret": "s3cret" })).await;
    let provider_id = provider["id"].as_str().expect("id");
    let credit = medioot(SEED_UID, "T-1", "10", "0.20", 1, "s3cret");
    assert!(app.provider_call(provider_id, &credit).await.is(200, "OK"));
    assert!(app.provider_call(provider_id, &credit).await.is(200, "DUP"));
    for transaction in ["T-2", "T-3", "T-4"] {
        let forged = medioot(SEED_UID, transaction, "10", "0.20", 1, "not-the-secret");
        assert_eq!(app.provider_call(provider_id, &forged).await.status, 403);
    }
    assert_eq!(app.provider_call("prv_nobody", &credit).await.status, 404);

    // A program that went quiet 3 hours ago after calling every 5 minutes.
    let (quiet, _) = app.create_program(json!({ "name": "Quiet shop", "currency": "USD", "commission_percent": 5 })).await;
    called_until_three_hours_ago(&app, "api", "program_id", &quiet).await;

    let items = sources(&app).await;
    let kinds: Vec<(&str, &str)> = items.iter().map(|s| (s["kind"].as_str().expect("kind"), s["id"].as_str().expect("id"))).collect();
    assert_eq!(items.len(), 5, "two programs, two reward secrets, one provider: {kinds:?}");

    let shop = find(&items, &program.id);
    assert_eq!((shop["kind"].as_str(), shop["name"].as_str()), (Some("program"), Some("Shop")));
    assert_eq!(shop["last_hour"], counts(3, 0, 2), "{shop}");
    assert_eq!(shop["last_day"], counts(3, 0, 2));
    assert_eq!(shop["top_refusals"].as_array().map(Vec::len), Some(1), "{shop}");
    assert_eq!(shop["top_refusals"][0]["count"], 2);
    assert!(shop["top_refusals"][0]["reason"].as_str().expect("reason").starts_with("amount"), "{shop}");
    assert!(shop["p50_ms"].as_f64().expect("p50") > 0.0);
    assert_eq!(shop["flags"], json!([]));

    let secret = find(&items, &reward.secret_id);
    assert_eq!(secret["kind"], "reward_secret");
    assert!(secret["name"].as_str().expect("hint").ends_with('…'), "a secret is named by its hint: {secret}");
    assert_eq!(secret["active"], true);
    assert_eq!(secret["last_day"], counts(2, 0, 2), "{secret}");
    let reasons: Vec<i64> = secret["top_refusals"].as_array().expect("reasons").iter().map(|r| r["count"].as_i64().expect("n")).collect();
    assert_eq!(reasons, [1, 1], "{secret}");
    assert!(secret["p99_ms"].as_f64().expect("p99") >= secret["p50_ms"].as_f64().expect("p50"));

    let unused = find(&items, &unused_secret);
    assert_eq!((unused["last_call_at"].clone(), unused["last_day"].clone()), (Value::Null, counts(0, 0, 0)));

    let door = find(&items, provider_id);
    assert_eq!((door["kind"].as_str(), door["name"].as_str()), (Some("provider"), Some("Medioot")));
    assert_eq!(door["last_hour"], counts(2, 0, 3), "{door}");
    assert_eq!(door["top_refusals"][0]["count"], 3, "{door}");
    assert!(door["last_call_at"].as_i64().expect("last call") > now_ms() - 60_000);

    let quiet = find(&items, &quiet);
    assert_eq!(quiet["flags"], json!(["silent"]), "{quiet}");
    assert_eq!(quiet["last_day"], counts(20, 0, 0));
    assert_eq!(quiet["usual_gap_seconds"], 300);
    assert_eq!(items[0]["id"], quiet["id"], "flagged sources come first");

    // Calls refused before their sender was known count for nobody.
    let counted: i64 = items.iter().map(|s| s["last_day"]["refused"].as_i64().expect("refused")).sum();
    assert_eq!(counted, 2 + 2 + 3);
    let unnamed = "SELECT COUNT(*) FROM postback_log \
                   WHERE network_id IS NULL AND program_id IS NULL AND reward_secret_id IS NULL AND provider_id IS NULL";
    let (logged,): (i64,) = sqlx::query_as(unnamed).fetch_one(app.db.pool()).await.expect("count");
    assert_eq!(logged, 3, "the wrong key, the wrong secret and the unknown provider are logged without a sender");

    // One kind, one source.
    let response = app.get(&format!("/api/admin/health/sources?kind=provider&id={provider_id}")).await;
    let body: Value = response.json().await.expect("json");
    assert_eq!(body["items"].as_array().map(Vec::len), Some(1), "{body}");
    let programs = app.get("/api/admin/health/sources?kind=program").await.json::<Value>().await.expect("json");
    assert_eq!(programs["items"].as_array().map(Vec::len), Some(2));
    assert_eq!(app.get("/api/admin/health/sources?kind=publisher").await.status(), 400);
});
