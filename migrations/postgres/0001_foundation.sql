-- Foundation schema (PostgreSQL). Timestamps are unix milliseconds, money is integer cents.
CREATE TABLE publishers (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    email       TEXT,
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL CHECK (role IN ('admin', 'publisher')),
    publisher_id  TEXT REFERENCES publishers (id),
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    CHECK (role = 'admin' OR publisher_id IS NOT NULL)
);

CREATE TABLE sessions (
    id          TEXT PRIMARY KEY,
    data        TEXT NOT NULL,
    expires_at  BIGINT NOT NULL
);
CREATE INDEX sessions_expires_at ON sessions (expires_at);

CREATE TABLE admin_tokens (
    id            TEXT PRIMARY KEY,
    user_id       TEXT NOT NULL REFERENCES users (id),
    token_hash    TEXT NOT NULL UNIQUE,
    created_at    BIGINT NOT NULL,
    last_used_at  BIGINT,
    revoked_at    BIGINT
);

CREATE TABLE networks (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    active      BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

CREATE TABLE network_keys (
    id           TEXT PRIMARY KEY,
    network_id   TEXT NOT NULL REFERENCES networks (id),
    key_hash     TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    valid_until  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX network_keys_network ON network_keys (network_id);

CREATE TABLE network_ips (
    network_id  TEXT NOT NULL REFERENCES networks (id),
    cidr        TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (network_id, cidr)
);

CREATE TABLE balances (
    account     TEXT PRIMARY KEY,
    balance     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE ledger_entries (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account     TEXT NOT NULL,
    delta       BIGINT NOT NULL,
    reason      TEXT NOT NULL,
    source_ref  TEXT NOT NULL UNIQUE,
    created_at  BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account);

CREATE FUNCTION ledger_entries_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'ledger_entries is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER ledger_entries_no_change BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();

CREATE TABLE audit_log (
    id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at       BIGINT NOT NULL,
    actor    TEXT NOT NULL,
    action   TEXT NOT NULL,
    target   TEXT NOT NULL,
    details  TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log (at);
