//! ISO 3166-1 alpha-2 country codes.

const CODES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ \
CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH \
GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB \
LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM \
PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG \
TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

/// The upper-cased code when `raw` is an assigned ISO 3166-1 alpha-2 code (any case).
pub fn parse_country(raw: &str) -> Option<String> {
    let upper = raw.to_ascii_uppercase();
    (upper.len() == 2 && is_assigned(upper.as_bytes())).then_some(upper)
}

/// Binary search of [`CODES`]: sorted, each code at a multiple of three.
fn is_assigned(code: &[u8]) -> bool {
    let codes = CODES.as_bytes();
    let (mut low, mut high) = (0, codes.len().div_ceil(3));
    while low < high {
        let middle = (low + high) / 2;
        match codes[3 * middle..3 * middle + 2].cmp(code) {
            std::cmp::Ordering::Less => low = middle + 1,
            std::cmp::Ordering::Greater => high = middle,
            std::cmp::Ordering::Equal => return true,
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_codes() {
        assert_eq!(parse_country("US").as_deref(), Some("US"));
        assert_eq!(parse_country("de").as_deref(), Some("DE"));
        assert_eq!(CODES.split(' ').count(), 249);
        let codes: Vec<&str> = CODES.split(' ').collect();
        assert!(codes.windows(2).all(|w| w[0] < w[1]) && codes.iter().all(|c| c.len() == 2), "sorted, two letters each");
        assert!(codes.iter().all(|c| parse_country(c).as_deref() == Some(*c)));
        for bad in ["", "U", "USA", "XX", "ZZ", "1A", "é", "U S"] {
            assert_eq!(parse_country(bad), None, "{bad:?}");
        }
    }
}
