-- Outbound postbacks to publishers (SPEC E): a durable queue written in the same transaction
-- as the credit or reversal it announces, and every attempt made to deliver it.

-- One row per (conversion, event): the unique key makes enqueueing idempotent.
CREATE TABLE deliveries (
    id               TEXT PRIMARY KEY,
    publisher_id     TEXT NOT NULL REFERENCES publishers (id),
    conversion_id    TEXT NOT NULL REFERENCES conversions (id),
    -- 'credit' (status 1) or 'reversal' (status 2).
    event            TEXT NOT NULL CHECK (event IN ('credit', 'reversal')),
    state            TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'delivered', 'duplicate', 'failed')),
    attempts         BIGINT NOT NULL DEFAULT 0,
    -- Retries still allowed after the next failure; set from the publisher's schedule when
    -- queued and again on a resend.
    retries_left     BIGINT NOT NULL,
    next_attempt_at  BIGINT NOT NULL,
    -- While 'sending': the claim expires then, so a crashed worker's jobs are picked up again.
    lease_until      BIGINT NOT NULL DEFAULT 0,
    last_url         TEXT,
    last_status      BIGINT,
    last_error       TEXT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL,
    finished_at      BIGINT,
    UNIQUE (conversion_id, event)
);
CREATE INDEX deliveries_due ON deliveries (state, next_attempt_at);
CREATE INDEX deliveries_publisher ON deliveries (publisher_id, created_at);

CREATE TABLE delivery_attempts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    delivery_id   TEXT NOT NULL REFERENCES deliveries (id),
    attempted_at  BIGINT NOT NULL,
    url           TEXT NOT NULL,
    status_code   BIGINT,
    latency_ms    BIGINT NOT NULL,
    -- The first 1 KiB of the answer.
    body          TEXT NOT NULL DEFAULT '',
    error         TEXT,
    outcome       TEXT NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, id);
