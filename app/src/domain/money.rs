//! Money is integer cents everywhere; this is how it is shown to people.

/// `123456` → `$1,234.56`; negative amounts keep their sign (`-$0.05`).
pub fn format_usd(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let dollars = (abs / 100).to_string();
    let mut grouped = String::with_capacity(dollars.len() + dollars.len() / 3);
    for (i, ch) in dollars.chars().enumerate() {
        if i > 0 && (dollars.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}${grouped}.{:02}", abs % 100)
}

/// A dollar amount as a person types it (`1.25`, `$1,000`, `20`) → whole cents, read exactly
/// (never through floating point). More than two decimals, a sign, or anything that is not a
/// number is refused with a sentence saying so.
pub fn parse_usd_cents(raw: &str) -> Result<i64, String> {
    use super::decimal::{format_minor_units, Decimal};
    let cleaned: String = raw.trim().trim_start_matches('$').chars().filter(|c| *c != ',').collect();
    if cleaned.is_empty() {
        return Err("Enter an amount in dollars, e.g. 1.25".into());
    }
    let amount = Decimal::parse(&cleaned).map_err(|e| format!("Enter an amount in dollars such as 1.25 — it {e}"))?;
    let cents = amount.ppm_in_minor_units(1_000_000, 2);
    if Decimal::parse(&format_minor_units(cents, 2)) != Ok(amount) {
        return Err("Use at most two decimals (whole cents), e.g. 1.25".into());
    }
    Ok(cents)
}

/// Cents as the amount field shows them again: `125` → `1.25`.
pub fn cents_as_decimal(cents: i64) -> String {
    super::decimal::format_minor_units(cents, 2)
}

/// What a conversion is worth as people read it: money for CPA and API conversions, coins for
/// a reward conversion (its money amount is 0) — `None` while its coins are not known yet.
pub fn conversion_worth(source: &str, amount_cents: i64, coins: Option<i64>) -> String {
    match (source, coins) {
        ("reward", Some(1)) => "1 coin".into(),
        ("reward", Some(n)) => format!("{n} coins"),
        ("reward", None) => "— coins".into(),
        _ => format_usd(amount_cents),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reward_conversions_are_worth_coins() {
        assert_eq!(conversion_worth("reward", 0, Some(120)), "120 coins");
        assert_eq!(conversion_worth("reward", 0, Some(1)), "1 coin");
        assert_eq!(conversion_worth("reward", 0, None), "— coins");
        assert_eq!(conversion_worth("cpa", 350, None), format_usd(350));
    }

    #[test]
    fn parses_dollar_amounts_exactly() {
        assert_eq!(parse_usd_cents("1.25"), Ok(125));
        assert_eq!(parse_usd_cents(" $1,000 "), Ok(100_000));
        assert_eq!(parse_usd_cents("0.1"), Ok(10));
        assert_eq!(parse_usd_cents("20"), Ok(2000));
        assert_eq!(parse_usd_cents("0.29"), Ok(29)); // 0.29 is not exact in binary floating point
        for bad in ["", "abc", "1.255", "-1", "1e3", "1.2.3", "$"] {
            assert!(parse_usd_cents(bad).is_err(), "{bad:?}");
        }
        assert!(parse_usd_cents("-1").expect_err("negative").contains("negative"));
        assert_eq!(cents_as_decimal(125), "1.25");
        assert_eq!(parse_usd_cents(&cents_as_decimal(100_000_000)), Ok(100_000_000));
    }

    #[test]
    fn formats_cents() {
        assert_eq!(format_usd(0), "$0.00");
        assert_eq!(format_usd(350), "$3.50");
        assert_eq!(format_usd(123_456), "$1,234.56");
        assert_eq!(format_usd(-5), "-$0.05");
        assert_eq!(format_usd(100_000_000), "$1,000,000.00");
        assert_eq!(format_usd(i64::MIN), "-$92,233,720,368,547,758.08");
    }
}
