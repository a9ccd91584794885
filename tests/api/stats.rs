//! The admin overview's figures: today's conversions and payouts, held count and the per-day
//! series, computed by the same SQL on SQLite and PostgreSQL.

use app::domain::stats::DAY_MS;
use app::domain::when::parse_zone;
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
    let utc = parse_zone("UTC").expect("utc");
    let o = stats::overview(&app.db, now, 14, utc).await.expect("overview");
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
    let o = stats::overview(&app.db, now_ms(), 7, parse_zone("Asia/Tokyo").expect("zone")).await.expect("overview");
    assert_eq!((o.today_conversions, o.today_payout_cents, o.held, o.delivery_failures), (0, 0, 0, 0));
    assert_eq!(o.days.len(), 7);
});

on_both_backends!(days_are_cut_in_the_readers_time_zone, |app| {
    let cpa = app.setup_cpa().await;
    let base = format!("external_identifier={SEED_PUBLISHER}&status=1&ip=203.0.113.45");
    for lead in ["late", "noon"] {
        expect_cpa(app.cpa(&cpa.key, &format!("{base}&lead_id={lead}&amount=100")).await, 200, "ok").await;
    }
    // 2025-03-04 20:00 UTC is already 2025-03-05 05:00 in Tokyo; the other is 2025-03-05 11:00 UTC.
    for (lead, at) in [("late", 1_741_118_400_000_i64), ("noon", 1_741_172_400_000)] {
        sqlx::query("UPDATE conversions SET created_at = $1 WHERE lead_id = $2")
            .bind(at)
            .bind(lead)
            .execute(app.db.pool())
            .await
            .expect("date");
    }
    let now = 1_741_176_000_000; // 2025-03-05 12:00 UTC, 21:00 in Tokyo
    let utc = stats::overview(&app.db, now, 3, parse_zone("UTC").expect("utc")).await.expect("overview");
    assert_eq!(utc.today_conversions, 1);
    assert_eq!(utc.days.iter().map(|d| d.conversions).collect::<Vec<_>>(), vec![0, 1, 1]);
    let tokyo = stats::overview(&app.db, now, 3, parse_zone("Asia/Tokyo").expect("zone")).await.expect("overview");
    assert_eq!(tokyo.today_conversions, 2, "both happened on March 5 in Tokyo");
    assert_eq!(tokyo.days.last().map(|d| d.day_start), Some(1_741_132_800_000), "labelled March 5");
    let new_york = stats::overview(&app.db, now, 3, parse_zone("America/New_York").expect("zone")).await.expect("overview");
    assert_eq!(new_york.days.iter().map(|d| d.conversions).collect::<Vec<_>>(), vec![0, 1, 1], "15:00 on the 4th, 06:00 on the 5th");
});
