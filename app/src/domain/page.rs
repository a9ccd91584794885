//! One page of a searchable listing: the rows, how many match in all, and where the page starts.

use serde::{Deserialize, Serialize};

/// Rows per page in the dashboard's listings.
pub const PAGE_SIZE: i64 = 20;
/// Most rows one page may ask for.
pub const MAX_PAGE_SIZE: i64 = 500;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Rows matching the search, on every page together.
    pub total: i64,
    pub offset: i64,
    pub limit: i64,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), total: self.total, offset: self.offset, limit: self.limit }
    }
}

/// A page request clamped to sane bounds: `limit` 1..=MAX_PAGE_SIZE, `offset` ≥ 0.
pub fn clamp(limit: i64, offset: i64) -> (i64, i64) {
    (limit.clamp(1, MAX_PAGE_SIZE), offset.max(0))
}

/// Longest search text used; the rest is ignored.
pub const MAX_SEARCH_CHARS: usize = 200;

/// What a person typed into a search box, as it is looked for: trimmed, without control
/// characters (PostgreSQL text cannot hold a NUL byte), at most [`MAX_SEARCH_CHARS`].
pub fn search_text(raw: &str) -> String {
    raw.trim().chars().filter(|c| !c.is_control()).take(MAX_SEARCH_CHARS).collect()
}

/// True when `name` contains the search text `q` ignoring case, or `q` is empty: a filter on
/// rows already on the page, finding what [`contains_pattern`] finds in a query.
pub fn name_matches(q: &str, name: &str) -> bool {
    let q = search_text(q).to_lowercase();
    q.is_empty() || name.to_lowercase().contains(&q)
}

/// `q` as [`search_text`] cleans it, lower-cased, with `%`, `_` and `\` escaped for
/// `LIKE … ESCAPE '\'`.
fn escape_like(q: &str) -> String {
    let mut escaped = String::with_capacity(q.len() + 2);
    for c in search_text(q).to_lowercase().chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

/// A case-insensitive "contains" pattern for `LOWER(column) LIKE $n ESCAPE '\'` (the same on
/// both backends): `q` lower-cased, its `%`, `_` and `\` taken literally.
pub fn contains_pattern(q: &str) -> String {
    format!("%{}%", escape_like(q))
}

/// Like [`contains_pattern`], for values starting with `q`.
pub fn prefix_pattern(q: &str) -> String {
    format!("{}%", escape_like(q))
}

/// `""`, `active` or `inactive` (the status filter of a listing) → the `active` filter.
pub fn active_filter(raw: &str) -> Option<bool> {
    match raw {
        "active" => Some(true),
        "inactive" => Some(false),
        _ => None,
    }
}

/// "21–40 of 57", or "No results".
pub fn describe(offset: i64, shown: usize, total: i64) -> String {
    if total == 0 || shown == 0 {
        return "No results".into();
    }
    format!("{}–{} of {}", offset + 1, offset + shown as i64, total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_match_the_search_text_ignoring_case() {
        assert!(name_matches("", "Anything"));
        assert!(name_matches("  ", "Anything"));
        assert!(name_matches(" medi ", "Medioot"));
        assert!(!name_matches("tar", "Medioot"));
    }

    #[test]
    fn pages_are_clamped_and_described() {
        assert_eq!(clamp(0, -5), (1, 0));
        assert_eq!(clamp(10_000, 40), (MAX_PAGE_SIZE, 40));
        assert_eq!(describe(20, 20, 57), "21–40 of 57");
        assert_eq!(describe(0, 0, 0), "No results");
        assert_eq!(contains_pattern("  Acme "), "%acme%");
        assert_eq!((active_filter("active"), active_filter("inactive"), active_filter("")), (Some(true), Some(false), None));
    }

    #[test]
    fn search_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern(" Cash "), "%cash%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
        assert_eq!(prefix_pattern("Offer.50%"), "offer.50\\%%");
        assert_eq!(search_text(" a\u{0}b\n "), "ab");
        assert_eq!(search_text(&"x".repeat(500)).len(), MAX_SEARCH_CHARS);
        assert_eq!(contains_pattern("a\u{0}"), "%a%");
    }
}
