//! Non-negative decimal numbers read exactly from their text (`"100"`, `100.5`, `"0.25"`), never
//! through floating point. Commissions are computed on the exact value in integer arithmetic and
//! rounded once, half up, to the currency's minor unit.
//!
//! Written here rather than taken from a decimal crate: the wire grammar is part of the
//! contract (plain digits with an optional fraction, no signs, exponents, separators or
//! padding), and the only arithmetic needed is one multiplication and one rounding.

use std::fmt;

/// Most digits before the decimal point: up to 999,999,999,999,999.
pub const MAX_INTEGER_DIGITS: usize = 15;
/// Most digits after the decimal point.
pub const MAX_FRACTION_DIGITS: u32 = 8;

/// `units / 10^scale`, with trailing fraction zeros removed (so equal values are equal).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    units: i128,
    scale: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidDecimal {
    #[error("must be a decimal number such as 12.34")]
    Syntax,
    #[error("must not be negative")]
    Negative,
    #[error("must have at most {MAX_INTEGER_DIGITS} digits before the decimal point")]
    TooLarge,
    #[error("must have at most {MAX_FRACTION_DIGITS} digits after the decimal point")]
    TooPrecise,
}

impl Decimal {
    /// Parses `digits[.digits]` (ASCII only). A leading `-` is refused as negative; anything
    /// else that is not that grammar (spaces, `+`, `1e3`, `1,5`, `.5`, `5.`) is a syntax error.
    pub fn parse(raw: &str) -> Result<Self, InvalidDecimal> {
        if let Some(rest) = raw.strip_prefix('-') {
            return match Self::parse(rest) {
                Ok(d) if d.units == 0 => Ok(d),
                Ok(_) => Err(InvalidDecimal::Negative),
                Err(e) => Err(e),
            };
        }
        let (int, frac) = match raw.split_once('.') {
            Some((int, frac)) => (int, Some(frac)),
            None => (raw, None),
        };
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        if !digits(int) || frac.is_some_and(|f| !digits(f)) {
            return Err(InvalidDecimal::Syntax);
        }
        let int = int.trim_start_matches('0');
        if int.len() > MAX_INTEGER_DIGITS {
            return Err(InvalidDecimal::TooLarge);
        }
        let frac = frac.unwrap_or("").trim_end_matches('0');
        if frac.len() > MAX_FRACTION_DIGITS as usize {
            return Err(InvalidDecimal::TooPrecise);
        }
        let mut units: i128 = 0;
        for b in int.bytes().chain(frac.bytes()) {
            units = units * 10 + i128::from(b - b'0');
        }
        Ok(Self { units, scale: frac.len() as u32 })
    }

    pub fn is_zero(&self) -> bool {
        self.units == 0
    }

    /// The value as `numerator / denominator` (`10.5` → `(105, 10)`), for exact rounding.
    pub fn as_fraction(&self) -> (i128, i128) {
        (self.units, 10i128.pow(self.scale))
    }

    /// `self × parts_per_million / 10^6`, in minor units of a currency with `minor_digits`,
    /// rounded half up (0.5 of a minor unit goes up).
    pub fn ppm_in_minor_units(&self, parts_per_million: i64, minor_digits: u32) -> i64 {
        // At most 10^23 × 10^6 × 10^4 = 10^33 < i128::MAX (1.7 × 10^38): no overflow.
        let numerator = self.units * i128::from(parts_per_million) * 10i128.pow(minor_digits);
        let denominator = 10i128.pow(self.scale) * 1_000_000;
        let rounded = (numerator + denominator / 2) / denominator;
        i64::try_from(rounded).unwrap_or(i64::MAX)
    }

    /// The value written with at least `min_fraction_digits` decimals (`100` → `100.00`).
    pub fn to_string_with(&self, min_fraction_digits: u32) -> String {
        let scale = self.scale.max(min_fraction_digits);
        let units = self.units * 10i128.pow(scale - self.scale);
        format_units(units, scale)
    }
}

/// `units / 10^scale` written out (`1050, 2` → `10.50`).
fn format_units(units: i128, scale: u32) -> String {
    let sign = if units < 0 { "-" } else { "" };
    let abs = units.unsigned_abs();
    if scale == 0 {
        return format!("{sign}{abs}");
    }
    let divisor = 10u128.pow(scale);
    format!("{sign}{}.{:0width$}", abs / divisor, abs % divisor, width = scale as usize)
}

/// A whole number of minor units written as a decimal (`1050, 2` → `10.50`, `500, 0` → `500`).
pub fn format_minor_units(minor: i64, minor_digits: u32) -> String {
    format_units(i128::from(minor), minor_digits)
}

impl fmt::Display for Decimal {
    /// The shortest exact form: `100`, `10.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&format_units(self.units, self.scale))
    }
}

/// A commission percentage (`12.5`): 0 to 100 with at most 4 decimals, held as parts per
/// million of the amount (12.5 % = 125,000).
pub fn parse_percent_ppm(raw: &str) -> Result<i64, String> {
    let d = Decimal::parse(raw).map_err(|e| e.to_string())?;
    if d.scale > 4 {
        return Err("must have at most 4 digits after the decimal point".into());
    }
    let ppm = d.units * 10i128.pow(4 - d.scale);
    if ppm > 1_000_000 {
        return Err("must be between 0 and 100".into());
    }
    Ok(ppm as i64)
}

/// `125000` → `12.5`.
pub fn format_ppm_as_percent(ppm: i64) -> String {
    let d = Decimal { units: i128::from(ppm), scale: 4 };
    let text = format_units(d.units, d.scale);
    let trimmed = text.trim_end_matches('0').trim_end_matches('.');
    trimmed.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_plain_decimals_exactly() {
        assert_eq!(Decimal::parse("100").map(|d| d.to_string()), Ok("100".into()));
        assert_eq!(Decimal::parse("100.50").map(|d| d.to_string()), Ok("100.5".into()));
        assert_eq!(Decimal::parse("007.10").map(|d| d.to_string()), Ok("7.1".into()));
        assert_eq!(Decimal::parse("0").map(|d| d.is_zero()), Ok(true));
        assert_eq!(Decimal::parse("-0.00").map(|d| d.is_zero()), Ok(true));
        assert_eq!(Decimal::parse("0.1"), Decimal::parse("0.10000000"));
        assert_eq!(Decimal::parse("999999999999999.99999999").map(|d| d.to_string()), Ok("999999999999999.99999999".into()));
    }

    #[test]
    fn refuses_everything_else() {
        use InvalidDecimal::*;
        for (raw, err) in [
            ("", Syntax),
            (" 1", Syntax),
            ("1 ", Syntax),
            ("+1", Syntax),
            ("1e3", Syntax),
            ("1,5", Syntax),
            (".5", Syntax),
            ("5.", Syntax),
            ("1.2.3", Syntax),
            ("NaN", Syntax),
            ("١٢", Syntax),
            ("-1", Negative),
            ("-0.01", Negative),
            ("1000000000000000", TooLarge),
            ("0.000000001", TooPrecise),
        ] {
            assert_eq!(Decimal::parse(raw), Err(err), "{raw:?}");
        }
    }

    #[test]
    fn percentages_round_half_up_to_minor_units() {
        let d = |s| Decimal::parse(s).expect("decimal");
        assert_eq!(d("100").ppm_in_minor_units(100_000, 2), 1000); // 10 % of 100.00 = 10.00
        assert_eq!(d("0.05").ppm_in_minor_units(100_000, 2), 1); // 0.005 → 0.01 (half up)
        assert_eq!(d("0.04").ppm_in_minor_units(100_000, 2), 0); // 0.004 → 0.00
        assert_eq!(d("19.99").ppm_in_minor_units(125_000, 2), 250); // 2.49875 → 2.50
        assert_eq!(d("1234").ppm_in_minor_units(33_333, 0), 41); // JPY: 41.13 → 41
        assert_eq!(d("10.005").ppm_in_minor_units(1_000_000, 2), 1001); // 100 % of 10.005 → 10.01
        assert_eq!(d("999999999999999.99999999").ppm_in_minor_units(1_000_000, 4), i64::MAX);
        // saturates
    }

    #[test]
    fn formatting() {
        let d = |s| Decimal::parse(s).expect("decimal");
        assert_eq!(d("100").to_string_with(2), "100.00");
        assert_eq!(d("100.5").to_string_with(2), "100.50");
        assert_eq!(d("10.005").to_string_with(2), "10.005");
        assert_eq!(d("1234").to_string_with(0), "1234");
        assert_eq!(format_minor_units(1050, 2), "10.50");
        assert_eq!(format_minor_units(5, 3), "0.005");
        assert_eq!(format_minor_units(500, 0), "500");
    }

    #[test]
    fn percents() {
        assert_eq!(parse_percent_ppm("12.5"), Ok(125_000));
        assert_eq!(parse_percent_ppm("100"), Ok(1_000_000));
        assert_eq!(parse_percent_ppm("0.0001"), Ok(1));
        assert_eq!(parse_percent_ppm("0"), Ok(0));
        assert!(parse_percent_ppm("100.0001").is_err());
        assert!(parse_percent_ppm("0.00001").is_err());
        assert!(parse_percent_ppm("-1").is_err());
        assert_eq!(format_ppm_as_percent(125_000), "12.5");
        assert_eq!(format_ppm_as_percent(1_000_000), "100");
        assert_eq!(format_ppm_as_percent(1), "0.0001");
        assert_eq!(format_ppm_as_percent(0), "0");
    }

    proptest! {
        #[test]
        fn parse_never_panics(raw in ".{0,40}") {
            let _ = Decimal::parse(&raw);
        }

        #[test]
        fn cents_round_trip(cents in 0i64..=10_000_000_000) {
            let text = format_minor_units(cents, 2);
            let d = Decimal::parse(&text).expect("decimal");
            prop_assert_eq!(d.ppm_in_minor_units(1_000_000, 2), cents);
            prop_assert_eq!(d.to_string_with(2), text);
        }
    }
}
