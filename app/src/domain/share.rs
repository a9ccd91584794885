//! The share URL and iframe embed code a publisher hands out for an offerwall (SPEC B): the
//! wall's URL with the chosen `s1`, `s2`, `uid`, `country` and `device` (docs/offerwall.md), and
//! the seed's iframe markup at a chosen size. Computed in the browser as the admin types, so
//! it lives here, with no server involved.

/// What the generator lets an admin choose; empty values are left out of the URL.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShareOptions {
    pub s1: String,
    pub s2: String,
    /// The end user's id, or a placeholder the publisher's site fills in (`{user_id}`).
    pub uid: String,
    pub country: String,
    /// `desktop`, `mobile`, or empty for "from the visitor's browser".
    pub device: String,
    /// A language code (`es`), or empty for "the visitor's" (`Accept-Language`, then the wall's).
    pub lang: String,
    /// `light`, `dark`, or empty for light.
    pub theme: String,
}

/// True for `{name}`: a placeholder the publisher's own site replaces, so its braces are kept.
fn is_placeholder(value: &str) -> bool {
    value.len() > 2
        && value.starts_with('{')
        && value.ends_with('}')
        && value[1..value.len() - 1].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn encode(value: &str) -> String {
    if is_placeholder(value) {
        value.to_owned()
    } else {
        form_urlencoded::byte_serialize(value.as_bytes()).collect()
    }
}

/// `share_url` (the wall's `/o/{id}`) with the chosen parameters, URL-encoded.
pub fn share_link(share_url: &str, options: &ShareOptions) -> String {
    let pairs = [
        ("s1", options.s1.trim()),
        ("s2", options.s2.trim()),
        ("uid", options.uid.trim()),
        ("country", options.country.trim()),
        ("device", options.device.trim()),
        ("lang", options.lang.trim()),
        ("theme", options.theme.trim()),
    ];
    let query: Vec<String> = pairs.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| format!("{k}={}", encode(v))).collect();
    if query.is_empty() {
        share_url.to_owned()
    } else {
        format!("{share_url}?{}", query.join("&"))
    }
}

/// An iframe dimension: pixels (`600`) or a percentage (`100%`), 1 to 9999.
pub fn parse_dimension(raw: &str) -> Option<String> {
    let raw = raw.trim();
    let digits = raw.strip_suffix('%').unwrap_or(raw);
    let ok = (1..=4).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()) && digits.bytes().any(|b| b != b'0');
    ok.then(|| raw.to_owned())
}

fn attribute(raw: &str) -> String {
    raw.replace('&', "&amp;").replace('"', "&quot;").replace('<', "&lt;").replace('>', "&gt;")
}

/// The iframe markup for `url` at `width` × `height` (both already parsed), with a `title` for
/// screen readers (the seed's `frameborder` is obsolete; the style draws no border). The URL
/// and the title are attribute-escaped.
pub fn embed_code_sized(url: &str, width: &str, height: &str, title: &str) -> String {
    let (src, title) = (attribute(url), attribute(title));
    format!(
        "<iframe\n  src=\"{src}\"\n  title=\"{title}\"\n  width=\"{width}\"\n  height=\"{height}\"\n  style=\"border-radius: 16px; border: none;\"\n></iframe>"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_carry_only_the_chosen_values_encoded() {
        let base = "https://t.example/o/ofw_1";
        assert_eq!(share_link(base, &ShareOptions::default()), base);
        let options = ShareOptions {
            s1: "site a".into(),
            s2: "x&y=z".into(),
            uid: "{user_id}".into(),
            device: "mobile".into(),
            ..Default::default()
        };
        assert_eq!(share_link(base, &options), "https://t.example/o/ofw_1?s1=site+a&s2=x%26y%3Dz&uid={user_id}&device=mobile");
        let styled = ShareOptions { lang: "pt".into(), theme: "dark".into(), ..Default::default() };
        assert_eq!(share_link(base, &styled), "https://t.example/o/ofw_1?lang=pt&theme=dark");
        let hostile = ShareOptions { uid: "{a}\"><script>".into(), ..Default::default() };
        assert_eq!(share_link(base, &hostile), "https://t.example/o/ofw_1?uid=%7Ba%7D%22%3E%3Cscript%3E");
    }

    #[test]
    fn dimensions_are_pixels_or_percent() {
        assert_eq!(parse_dimension(" 600 ").as_deref(), Some("600"));
        assert_eq!(parse_dimension("100%").as_deref(), Some("100%"));
        for bad in ["", "0", "0%", "12345", "10px", "-5", "%", "1e3", "\"600"] {
            assert_eq!(parse_dimension(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn embed_code_escapes_the_url() {
        let code = embed_code_sized("https://t.example/o/w?s1=a&s2=\"b\"", "100%", "600", "Gems \"<b>\"");
        assert!(code.contains("src=\"https://t.example/o/w?s1=a&amp;s2=&quot;b&quot;\""), "{code}");
        assert!(code.contains("title=\"Gems &quot;&lt;b&gt;&quot;\"") && !code.contains("frameborder"), "{code}");
        assert!(code.contains("width=\"100%\"") && code.contains("height=\"600\""));
    }
}
