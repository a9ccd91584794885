//! Helpers for multi-row statements that run on both SQLite and PostgreSQL.

/// Rows per multi-row statement. Only these sizes are used, so the database sees a handful of
/// distinct statements and reuses their prepared forms instead of parsing a new one per batch.
pub const CHUNK_SIZES: [usize; 4] = [64, 16, 4, 1];

/// Splits `rows` greedily into slices of the fixed `CHUNK_SIZES`.
pub fn chunks<T>(rows: &[T]) -> impl Iterator<Item = &[T]> {
    let mut rest = rows;
    std::iter::from_fn(move || {
        let size = CHUNK_SIZES.into_iter().find(|s| *s <= rest.len())?;
        let (head, tail) = rest.split_at(size);
        rest = tail;
        Some(head)
    })
}

/// `($1, $2, …), ($n, …)` for `rows` rows of `cols` columns.
pub fn placeholders(rows: usize, cols: usize) -> String {
    (0..rows)
        .map(|r| format!("({})", (1..=cols).map(|c| format!("${}", r * cols + c)).collect::<Vec<_>>().join(", ")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `$first, $first+1, …` for an `IN (…)` list of `count` values.
pub fn list(first: usize, count: usize) -> String {
    (first..first + count).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

/// Longest search text used; the rest is ignored.
pub const MAX_SEARCH_CHARS: usize = 200;

/// What a person typed into a search box, as it is looked for: trimmed, without control
/// characters (PostgreSQL text cannot hold a NUL byte), at most [`MAX_SEARCH_CHARS`].
pub fn search_text(raw: &str) -> String {
    raw.trim().chars().filter(|c| !c.is_control()).take(MAX_SEARCH_CHARS).collect()
}

/// `q` trimmed, lower-cased, with `%`, `_` and `\` escaped for `LIKE … ESCAPE '\'`.
fn escape_like(q: &str) -> String {
    let mut escaped = String::with_capacity(q.len() + 2);
    for c in q.trim().to_lowercase().chars() {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_patterns_take_wildcards_literally() {
        assert_eq!(contains_pattern(" Cash "), "%cash%");
        assert_eq!(contains_pattern("50%_off\\"), "%50\\%\\_off\\\\%");
        assert_eq!(contains_pattern(""), "%%");
        assert_eq!(prefix_pattern("Offer.50%"), "offer.50\\%%");
        assert_eq!(search_text(" a\u{0}b\n "), "ab");
        assert_eq!(search_text(&"x".repeat(500)).len(), MAX_SEARCH_CHARS);
    }

    #[test]
    fn chunks_use_only_fixed_sizes() {
        let rows: Vec<u32> = (0..87).collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[u32]>::len).collect();
        assert_eq!(sizes, vec![64, 16, 4, 1, 1, 1]);
        assert_eq!(chunks(&rows).flatten().count(), 87);
        assert_eq!(chunks::<u32>(&[]).count(), 0);
    }

    #[test]
    fn placeholders_number_rows_and_columns() {
        assert_eq!(placeholders(2, 3), "($1, $2, $3), ($4, $5, $6)");
        assert_eq!(placeholders(1, 1), "($1)");
        assert_eq!(list(3, 2), "$3, $4");
    }
}
