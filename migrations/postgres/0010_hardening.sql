-- Hardening (issue 14).

-- Session rows are now keyed by the SHA-256 of the session id. Rows stored under a plain id can
-- never be found again, so they are removed: everyone signs in once more.
DELETE FROM sessions;

-- The audit log is append-only, like the ledger; TRUNCATE is refused on both.
CREATE FUNCTION audit_log_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_log_no_change BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
    FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only();
CREATE TRIGGER ledger_entries_no_truncate BEFORE TRUNCATE ON ledger_entries
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_entries_append_only();

-- Retention prunes by age in small batches; these indexes keep each batch a range scan.
CREATE INDEX clicks_created_at ON clicks (created_at);
CREATE INDEX conversions_click ON conversions (click_id);
CREATE INDEX delivery_attempts_attempted_at ON delivery_attempts (attempted_at);

-- Retry schedule shape per publisher: 'fixed' (the seeds' default: equal intervals) or
-- 'exponential' (the interval doubles with each retry, with jitter).
ALTER TABLE publisher_postbacks ADD COLUMN retry_backoff TEXT NOT NULL DEFAULT 'fixed'
    CHECK (retry_backoff IN ('fixed', 'exponential'));

-- Admin API tokens are listed with a hint (their first characters); tokens made before this
-- have none.
ALTER TABLE admin_tokens ADD COLUMN hint TEXT NOT NULL DEFAULT '';
