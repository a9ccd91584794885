//! Strangers cannot fill the disk through the doors: a call refused before its sender is known is
//! logged without its parameters, and the refused-IP queue of a network is capped.

use serde_json::json;

use app::server::ingest::log::REFUSED_IPS_PER_NETWORK;

use crate::helpers::*;
use crate::on_both_backends;

async fn logged_param_bytes(app: &TestApp) -> (i64, i64) {
    sqlx::query_as("SELECT COUNT(*), CAST(COALESCE(SUM(LENGTH(params)), 0) AS BIGINT) FROM postback_log")
        .fetch_one(app.db.pool())
        .await
        .expect("log size")
}

on_both_backends!(refused_unauthenticated_calls_log_no_parameters, |app| {
    let program = app.setup_program().await;
    // 6 KB in the query string (longer URIs are refused before any door, 414), 8 KB in the body.
    let padding = "p".repeat(6 * 1024);
    let (before, _) = logged_param_bytes(&app).await;
    for n in 0..500 {
        let response = app.cpa("wrong-key", &format!("external_identifier={SEED_PUBLISHER}&amount=1&lead_id=x{n}&pad={padding}")).await;
        assert_eq!(response.status(), 401);
        let body = json!({ "external_id": format!("E{n}"), "referral_code": "nwjinmy", "meta_data": { "pad": "q".repeat(8 * 1024) } });
        assert_eq!(app.v1_post("not-a-key", "/api/v1/conversions", body).await.status(), 401);
    }
    let (after, bytes) = logged_param_bytes(&app).await;
    assert_eq!(after - before, 1_000, "every refused call is still logged");
    assert_eq!(bytes, 2 * after, "each logged with empty parameters ({{}})");
    // A call with a good key keeps its parameters for debugging.
    let _ = program;
    let setup = app.setup_cpa().await;
    assert_eq!(app.cpa(&setup.key, "amount=oops&pad=kept").await.status(), 400);
    let (params,): (String,) =
        sqlx::query_as("SELECT params FROM postback_log ORDER BY id DESC LIMIT 1").fetch_one(app.db.pool()).await.expect("last entry");
    assert!(params.contains("kept"), "{params}");
});

on_both_backends!(the_refused_ip_queue_is_capped_per_network, |app| {
    let (network_id, key) = app.create_network("Capped").await;
    let now = 1_700_000_000_000_i64;
    for n in 0..(REFUSED_IPS_PER_NETWORK + 50) {
        sqlx::query("INSERT INTO refused_ips (network_id, ip, count, first_seen, last_seen) VALUES ($1, $2, 1, $3, $3)")
            .bind(&network_id)
            .bind(format!("10.{}.{}.1", n / 250, n % 250))
            .bind(now + n)
            .execute(app.db.pool())
            .await
            .expect("seed queue");
    }
    // One more refusal through the door trims the queue to the cap, keeping the newest.
    assert_eq!(app.cpa(&key, &format!("external_identifier={SEED_PUBLISHER}&amount=1")).await.status(), 403);
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM refused_ips WHERE network_id = $1")
        .bind(&network_id)
        .fetch_one(app.db.pool())
        .await
        .expect("count");
    assert_eq!(count, REFUSED_IPS_PER_NETWORK);
    let (oldest,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM refused_ips WHERE network_id = $1 AND ip = '10.0.0.1'")
        .bind(&network_id)
        .fetch_one(app.db.pool())
        .await
        .expect("oldest");
    assert_eq!(oldest, 0, "the least recently seen address was forgotten");
});
