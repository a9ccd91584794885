//! Names people give things (networks, publishers, offers): trimmed, bounded, and free of
//! control characters (a NUL byte cannot even be stored in PostgreSQL text).

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidLabel {
    #[error("must have {min} to {max} characters")]
    Length { min: usize, max: usize },
    #[error("must not contain control characters")]
    Control,
}

/// Parses a label of `1..=max` characters after trimming.
pub fn parse_label(raw: &str, max: usize) -> Result<String, InvalidLabel> {
    let value = raw.trim();
    let len = value.chars().count();
    if len == 0 || len > max {
        return Err(InvalidLabel::Length { min: 1, max });
    }
    if value.chars().any(char::is_control) {
        return Err(InvalidLabel::Control);
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn trims_and_bounds() {
        assert_eq!(parse_label("  Acme Ads ", 10).as_deref(), Ok("Acme Ads"));
        assert_eq!(parse_label("   ", 10), Err(InvalidLabel::Length { min: 1, max: 10 }));
        assert_eq!(parse_label("abcdefghijk", 10), Err(InvalidLabel::Length { min: 1, max: 10 }));
        assert_eq!(parse_label("a\u{0}b", 10), Err(InvalidLabel::Control));
        assert_eq!(parse_label("<img src=x onerror=alert(1)>", 100).as_deref(), Ok("<img src=x onerror=alert(1)>"));
    }

    proptest! {
        #[test]
        fn accepted_labels_have_no_control_characters(raw in ".{0,120}") {
            if let Ok(label) = parse_label(&raw, 100) {
                prop_assert!(!label.chars().any(char::is_control));
                prop_assert!(!label.is_empty());
            }
        }
    }
}
