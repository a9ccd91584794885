-- Conversions received from any source, the log of every postback call, and refused source IPs.

-- One row per conversion. (source, scope, dedup_key) is the exactly-once guarantee: scope is the
-- network (CPA) or program, dedup_key the lead id, else click id, else a unique placeholder.
CREATE TABLE conversions (
    id            TEXT PRIMARY KEY,
    source        TEXT NOT NULL,
    scope         TEXT NOT NULL,
    dedup_key     TEXT NOT NULL,
    network_id    TEXT REFERENCES networks (id),
    publisher_id  TEXT REFERENCES publishers (id),
    state         TEXT NOT NULL CHECK (state IN ('pending', 'credited', 'held', 'rejected', 'reversed', 'reversal_pending')),
    amount_cents  BIGINT NOT NULL,
    status_raw    TEXT,
    reasons       TEXT NOT NULL DEFAULT '',
    lead_id       TEXT,
    click_id      TEXT,
    offer_id      TEXT,
    offer_name    TEXT,
    -- offer_id, else offer_name: what "the same offer" means for the usual-payout check.
    offer_key     TEXT,
    country_code  TEXT,
    end_user_ip   TEXT,
    s2            TEXT,
    event_at      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    UNIQUE (source, scope, dedup_key)
);
CREATE INDEX conversions_created_at ON conversions (created_at);
CREATE INDEX conversions_publisher ON conversions (publisher_id, created_at);
CREATE INDEX conversions_network ON conversions (network_id, created_at);
CREATE INDEX conversions_state ON conversions (state, created_at);
CREATE INDEX conversions_end_user_ip ON conversions (end_user_ip, created_at);
CREATE INDEX conversions_offer ON conversions (scope, offer_key, state, created_at);

-- Every postback call, refused ones too. Parameters are stored without the key.
CREATE TABLE postback_log (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    received_at    BIGINT NOT NULL,
    source         TEXT NOT NULL,
    network_id     TEXT,
    source_ip      TEXT NOT NULL,
    outcome        TEXT NOT NULL,
    http_status    BIGINT NOT NULL,
    reason         TEXT NOT NULL DEFAULT '',
    latency_us     BIGINT NOT NULL,
    params         TEXT NOT NULL,
    conversion_id  TEXT
);
CREATE INDEX postback_log_received_at ON postback_log (received_at);
CREATE INDEX postback_log_network ON postback_log (network_id, received_at);
CREATE INDEX postback_log_conversion ON postback_log (conversion_id);

-- Source addresses refused for a network, waiting for an admin's one-click approval.
CREATE TABLE refused_ips (
    network_id  TEXT NOT NULL REFERENCES networks (id),
    ip          TEXT NOT NULL,
    count       BIGINT NOT NULL,
    first_seen  BIGINT NOT NULL,
    last_seen   BIGINT NOT NULL,
    PRIMARY KEY (network_id, ip)
);
