//! ISO 4217 currency codes in circulation, and how many decimals their minor unit has.

use std::fmt;

/// Active ISO 4217 codes for money (funds, precious metals and test codes left out).
const CODES: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BOV BRL BSD BTN BWP BYN BZD \
CAD CDF CHE CHF CHW CLF CLP CNY COP COU CRC CUC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP GMD GNF GTQ GYD \
HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK \
MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD NGN NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG \
SEK SGD SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD USN UYI UYU UYW UZS VED VES VND VUV \
WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG ZWL";

/// Codes whose minor unit is not a hundredth.
const ZERO_DECIMALS: &str = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF";
const THREE_DECIMALS: &str = "BHD IQD JOD KWD LYD OMR TND";
const FOUR_DECIMALS: &str = "CLF UYW";

/// A currency code from the list above, upper case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency([u8; 3]);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be a three-letter ISO 4217 currency code such as USD or EUR")]
pub struct InvalidCurrency;

impl Currency {
    /// Accepts exactly three upper-case letters naming a currency in circulation.
    pub fn parse(raw: &str) -> Result<Self, InvalidCurrency> {
        let bytes: [u8; 3] = raw.as_bytes().try_into().map_err(|_| InvalidCurrency)?;
        if !bytes.iter().all(u8::is_ascii_uppercase) || !CODES.split(' ').any(|c| c == raw) {
            return Err(InvalidCurrency);
        }
        Ok(Self(bytes))
    }

    pub fn as_str(&self) -> &str {
        // Only ASCII upper-case letters get in.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Decimals of the minor unit: 2 for USD, 0 for JPY, 3 for KWD.
    pub fn minor_digits(&self) -> u32 {
        let code = self.as_str();
        let listed = |list: &str| list.split(' ').any(|c| c == code);
        if listed(ZERO_DECIMALS) {
            0
        } else if listed(THREE_DECIMALS) {
            3
        } else if listed(FOUR_DECIMALS) {
            4
        } else {
            2
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_codes_and_their_minor_units() {
        assert_eq!(Currency::parse("USD").map(|c| c.minor_digits()), Ok(2));
        assert_eq!(Currency::parse("EUR").map(|c| c.to_string()), Ok("EUR".into()));
        assert_eq!(Currency::parse("JPY").map(|c| c.minor_digits()), Ok(0));
        assert_eq!(Currency::parse("KWD").map(|c| c.minor_digits()), Ok(3));
        assert_eq!(Currency::parse("CLF").map(|c| c.minor_digits()), Ok(4));
        for list in [ZERO_DECIMALS, THREE_DECIMALS, FOUR_DECIMALS] {
            for code in list.split(' ') {
                assert!(Currency::parse(code).is_ok(), "{code} is in the main list");
            }
        }
    }

    #[test]
    fn refuses_unknown_or_badly_written_codes() {
        for bad in ["", "usd", "Usd", "US", "USDD", "XXX", "XAU", "ABC", " USD", "U$D", "ÜSD", "€"] {
            assert_eq!(Currency::parse(bad), Err(InvalidCurrency), "{bad:?}");
        }
    }
}
