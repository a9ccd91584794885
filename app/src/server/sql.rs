//! Helpers for multi-row statements that run on both SQLite and PostgreSQL.

/// Rows per multi-row statement. Only these sizes are used, so the database sees a handful of
/// distinct statements and reuses their prepared forms instead of parsing a new one per batch.
/// Kept small: binding a statement's arguments costs time quadratic in its parameter count on
/// SQLite (each `$n` is looked up by a linear scan), and 16 rows already amortise the round trip.
pub const CHUNK_SIZES: [usize; 3] = [16, 4, 1];

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

/// One page of the ids of `table`'s rows whose name or id contains `search` (case-insensitive),
/// newest first, and how many rows match on all pages. `table` is one of our own table names.
pub async fn ids_named_like(
    conn: &mut sqlx::AnyConnection,
    table: &'static str,
    search: &str,
    limit: i64,
    offset: i64,
) -> Result<(i64, Vec<String>), sqlx::Error> {
    let pattern = crate::domain::page::contains_pattern(search);
    let matching = format!("FROM {table} WHERE LOWER(name) LIKE $1 ESCAPE '\\' OR LOWER(id) LIKE $1 ESCAPE '\\'");
    let (total,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) {matching}")).bind(&pattern).fetch_one(&mut *conn).await?;
    let ids: Vec<(String,)> = sqlx::query_as(&format!("SELECT id {matching} ORDER BY created_at DESC, id LIMIT $2 OFFSET $3"))
        .bind(&pattern)
        .bind(limit)
        .bind(offset)
        .fetch_all(&mut *conn)
        .await?;
    Ok((total, ids.into_iter().map(|(id,)| id).collect()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_use_only_fixed_sizes() {
        let rows: Vec<u32> = (0..87).collect();
        let sizes: Vec<usize> = chunks(&rows).map(<[u32]>::len).collect();
        assert_eq!(sizes, vec![16, 16, 16, 16, 16, 4, 1, 1, 1]);
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
