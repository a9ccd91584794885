-- Each publisher's outbound postback: URL template, signature scheme, signing secret (kept so
-- TapRain can sign; shown to the publisher once), and retry schedule.
CREATE TABLE publisher_postbacks (
    publisher_id            TEXT PRIMARY KEY REFERENCES publishers (id),
    url_template            TEXT NOT NULL,
    signature               TEXT NOT NULL CHECK (signature IN ('hmac-sha256', 'md5', 'standard-webhooks')),
    secret                  TEXT NOT NULL,
    max_retries             BIGINT NOT NULL,
    retry_interval_seconds  BIGINT NOT NULL,
    updated_at              BIGINT NOT NULL
);
