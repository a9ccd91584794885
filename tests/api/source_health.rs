//! `GET /api/admin/health/sources`: figures match a known mix of calls, a silent source is flagged.

use serde_json::{json, Value};

use crate::helpers::*;
use crate::on_both_backends;

async fn sources(app: &TestApp) -> Vec<Value> {
    let response = app.get("/api/admin/health/sources").await;
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.expect("json");
    body["items"].as_array().expect("items").clone()
}

fn find<'a>(items: &'a [Value], id: &str) -> &'a Value {
    items.iter().find(|s| s["id"] == id).unwrap_or_else(|| panic!("{id} missing from {items:?}"))
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
    let now = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("clock").as_millis() as i64;
    for i in 0..20_i64 {
        sqlx::query(
            "INSERT INTO postback_log (received_at, source, network_id, source_ip, outcome, http_status, reason, latency_us, params) \
             VALUES ($1, 'cpa', $2, '127.0.0.1', 'ok', 200, '', 1500, '{}')",
        )
        .bind(now - 3 * 3_600_000 - i * 300_000)
        .bind(&quiet)
        .execute(app.db.pool())
        .await
        .expect("insert");
    }
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
    assert!(busy["last_call_at"].as_i64().expect("last call") > now - 60_000);
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
});
