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

#[cfg(test)]
mod tests {
    use super::*;

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
