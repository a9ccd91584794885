//! Silent quality checks hold conversions (still 200); admins approve, reject or reverse.

use serde_json::Value;

use crate::helpers::*;
use crate::on_both_backends;

async fn held_reasons(app: &TestApp, lead: &str) -> (String, Vec<String>) {
    let items = app.conversions("limit=1000").await;
    let c = items.iter().find(|c| c["lead_id"] == lead).expect("conversion");
    (
        c["state"].as_str().expect("state").to_owned(),
        c["reasons"].as_array().expect("reasons").iter().map(|r| r.as_str().expect("r").to_owned()).collect(),
    )
}

on_both_backends!(each_quality_rule_holds_with_a_named_reason, |app| {
    let cpa = app.setup_cpa().await;
    let base = format!("external_identifier={SEED_PUBLISHER}&status=1");
    let cases = [
        ("private", "amount=100&ip=10.0.0.1", "non_public_ip"),
        ("loopback", "amount=100&ip=127.0.0.1", "non_public_ip"),
        ("garbage-ip", "amount=100&ip=not-an-ip", "invalid_ip"),
        ("country", "amount=100&country_code=XX", "invalid_country"),
        ("ceiling", "amount=60000", "amount_above_ceiling"),
    ];
    for (lead, extra, reason) in cases {
        expect_cpa(app.cpa(&cpa.key, &format!("{base}&lead_id={lead}&{extra}")).await, 200, "ok").await;
        let (state, reasons) = held_reasons(&app, lead).await;
        assert_eq!(state, "held", "{lead}");
        assert_eq!(reasons, vec![reason.to_string()], "{lead}");
    }
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0, "held conversions are not credited");
    let log: Value = app.get("/api/admin/postback-log?outcome=held").await.json().await.expect("json");
    assert_eq!(log["items"].as_array().expect("items").len(), 5);
});

on_both_backends!(repeated_end_user_ips_are_held_after_the_threshold, |app| {
    let cpa = app.setup_cpa().await;
    for i in 0..6 {
        expect_cpa(
            app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=100&ip=198.51.100.20&lead_id=r{i}")).await,
            200,
            "ok",
        )
        .await;
    }
    assert_eq!(held_reasons(&app, "r4").await.0, "credited");
    assert_eq!(held_reasons(&app, "r5").await, ("held".to_string(), vec!["repeated_ip".to_string()]));
    assert_eq!(app.balance(SEED_PUBLISHER).await, 500);
});

on_both_backends!(amounts_far_above_the_usual_payout_are_held, |app| {
    let cpa = app.setup_cpa().await;
    for i in 0..5 {
        expect_cpa(
            app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=100&offer_id=o1&lead_id=u{i}")).await,
            200,
            "ok",
        )
        .await;
    }
    expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=1001&offer_id=o1&lead_id=big")).await, 200, "ok")
        .await;
    assert_eq!(held_reasons(&app, "big").await, ("held".to_string(), vec!["amount_above_usual".to_string()]));
    expect_cpa(
        app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=1001&offer_id=o2&lead_id=other-offer")).await,
        200,
        "ok",
    )
    .await;
    assert_eq!(held_reasons(&app, "other-offer").await.0, "credited");
});

on_both_backends!(admins_approve_reject_and_reverse, |app| {
    let cpa = app.setup_cpa().await;
    for lead in ["a", "b"] {
        expect_cpa(
            app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&amount=250&ip=10.0.0.1&lead_id={lead}")).await,
            200,
            "ok",
        )
        .await;
    }
    let id_of =
        |items: &[Value], lead: &str| items.iter().find(|c| c["lead_id"] == lead).expect("c")["id"].as_str().expect("id").to_owned();
    let items = app.conversions("status=held").await;
    let (a, b) = (id_of(&items, "a"), id_of(&items, "b"));

    let approved =
        app.client.post(app.url(&format!("/api/admin/conversions/{a}/approve"))).bearer_auth(&app.token).send().await.expect("approve");
    assert_eq!(approved.status(), 200);
    assert_eq!(approved.json::<Value>().await.expect("json")["state"], "credited");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 250);

    let rejected =
        app.client.post(app.url(&format!("/api/admin/conversions/{b}/reject"))).bearer_auth(&app.token).send().await.expect("reject");
    assert_eq!(rejected.json::<Value>().await.expect("json")["state"], "rejected");
    let again =
        app.client.post(app.url(&format!("/api/admin/conversions/{b}/approve"))).bearer_auth(&app.token).send().await.expect("approve");
    expect_error(again, 409).await;

    let reversed =
        app.client.post(app.url(&format!("/api/admin/conversions/{a}/reverse"))).bearer_auth(&app.token).send().await.expect("reverse");
    assert_eq!(reversed.json::<Value>().await.expect("json")["state"], "reversed");
    assert_eq!(app.balance(SEED_PUBLISHER).await, 0);
    let twice =
        app.client.post(app.url(&format!("/api/admin/conversions/{a}/reverse"))).bearer_auth(&app.token).send().await.expect("reverse");
    expect_error(twice, 409).await;
    let missing =
        app.client.post(app.url("/api/admin/conversions/cnv_missing/approve")).bearer_auth(&app.token).send().await.expect("approve");
    expect_error(missing, 404).await;
    let anonymous = app.client.post(app.url(&format!("/api/admin/conversions/{a}/reverse"))).send().await.expect("reverse");
    expect_error(anonymous, 401).await;

    let audit: Value = app.get("/api/admin/audit?action=conversion.").await.json().await.expect("json");
    let actions: Vec<&str> = audit["items"].as_array().expect("items").iter().map(|e| e["action"].as_str().expect("a")).collect();
    assert_eq!(actions, vec!["conversion.reverse", "conversion.reject", "conversion.approve"]);
});
