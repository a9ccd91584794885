//! The admin overview's figures: today's conversions and payouts, held count and the per-day
//! series, computed by the same SQL on SQLite and PostgreSQL.

use app::domain::stats::DAY_MS;
use app::server::clock::now_ms;
use app::server::stats;

use crate::helpers::*;
use crate::on_both_backends;

on_both_backends!(overview_counts_today_and_groups_earlier_days, |app| {
    let cpa = app.setup_cpa().await;
    let base = format!("external_identifier={SEED_PUBLISHER}&status=1&ip=203.0.113.45");
    for (lead, amount) in [("a", 350), ("b", 150), ("held", 60000), ("old", 1000)] {
        expect_cpa(app.cpa(&cpa.key, &format!("{base}&lead_id={lead}&amount={amount}")).await, 200, "ok").await;
    }
    // A pending one (status other than 1) counts as a conversion but pays nothing.
    expect_cpa(app.cpa(&cpa.key, &format!("external_identifier={SEED_PUBLISHER}&status=0&lead_id=p&amount=700")).await, 200, "ok").await;
    // Move one conversion to yesterday.
    sqlx::query("UPDATE conversions SET created_at = created_at - $1 WHERE lead_id = 'old'")
        .bind(DAY_MS)
        .execute(app.db.pool())
        .await
        .expect("backdate");

    let now = now_ms();
    let o = stats::overview(&app.db, now, 14).await.expect("overview");
    assert_eq!(o.today_conversions, 4, "a, b, held and the pending one");
    assert_eq!(o.today_payout_cents, 500, "only credited amounts are payouts");
    assert_eq!(o.held, 1);
    assert_eq!(o.delivery_failures, 0);
    assert_eq!(o.days.len(), 14);
    let today = o.days.last().expect("today");
    assert_eq!(today.day_start, now.div_euclid(DAY_MS) * DAY_MS);
    let yesterday = &o.days[12];
    assert_eq!((yesterday.conversions, yesterday.payout_cents), (1, 1000));
    assert!(o.days[..12].iter().all(|d| d.conversions == 0 && d.payout_cents == 0));
});

on_both_backends!(an_empty_database_gives_zeroes_for_every_day, |app| {
    let o = stats::overview(&app.db, now_ms(), 7).await.expect("overview");
    assert_eq!((o.today_conversions, o.today_payout_cents, o.held, o.delivery_failures), (0, 0, 0, 0));
    assert_eq!(o.days.len(), 7);
});
