-- Programs (seed 001, SPEC D): merchants' affiliate programs with their commission rule, API
-- keys, the publishers' attribution handles (referral codes, coupons, asset ids, source ids,
-- click ids) and customers attributed for life. Conversions from the API live in
-- `conversions` with source 'api', scope = program id and dedup_key = external_id.

-- Exactly one rule: a percentage of the amount (parts per million: 12.5 % = 125000) or a fixed
-- number of minor units (cents) per conversion.
CREATE TABLE programs (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL,
    currency          TEXT NOT NULL,
    commission_ppm    BIGINT CHECK (commission_ppm BETWEEN 0 AND 1000000),
    commission_cents  BIGINT CHECK (commission_cents >= 0),
    active            INTEGER NOT NULL DEFAULT 1,
    created_at        BIGINT NOT NULL,
    CHECK ((commission_ppm IS NULL) <> (commission_cents IS NULL))
);

-- Same shape as network_keys: valid from created_at until valid_until (NULL = open-ended)
-- unless revoked.
CREATE TABLE program_keys (
    id           TEXT PRIMARY KEY,
    program_id   TEXT NOT NULL REFERENCES programs (id),
    key_hash     TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    valid_until  BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX program_keys_program ON program_keys (program_id);

-- A publisher's handle inside a program; the primary key makes each unique per program and kind.
CREATE TABLE program_handles (
    program_id    TEXT NOT NULL REFERENCES programs (id),
    kind          TEXT NOT NULL CHECK (kind IN ('coupon', 'click_id', 'referral_code', 'asset_id', 'source_id')),
    code          TEXT NOT NULL,
    publisher_id  TEXT NOT NULL REFERENCES publishers (id),
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (program_id, kind, code)
);
CREATE INDEX program_handles_publisher ON program_handles (publisher_id);

-- The merchant's customers, each attributed to one publisher for life (lifetime commission).
CREATE TABLE program_customers (
    id               TEXT PRIMARY KEY,
    program_id       TEXT NOT NULL REFERENCES programs (id),
    customer_id      TEXT NOT NULL,
    publisher_id     TEXT NOT NULL REFERENCES publishers (id),
    attributed_by    TEXT NOT NULL,
    attributed_code  TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    UNIQUE (program_id, customer_id)
);

-- What an API conversion adds to the common row. amount_cents is the commission credited (minor
-- units of `currency`); order_amount the order's amount as a normalised decimal string;
-- request_hash tells an idempotent replay (same payload) from a conflicting one.
ALTER TABLE conversions ADD COLUMN program_id TEXT REFERENCES programs (id);
ALTER TABLE conversions ADD COLUMN customer_id TEXT;
ALTER TABLE conversions ADD COLUMN currency TEXT;
ALTER TABLE conversions ADD COLUMN order_amount TEXT;
ALTER TABLE conversions ADD COLUMN attributed_by TEXT;
ALTER TABLE conversions ADD COLUMN attributed_code TEXT;
ALTER TABLE conversions ADD COLUMN meta_data TEXT;
ALTER TABLE conversions ADD COLUMN user_agent TEXT;
ALTER TABLE conversions ADD COLUMN request_hash TEXT;
CREATE INDEX conversions_program ON conversions (program_id, created_at);
