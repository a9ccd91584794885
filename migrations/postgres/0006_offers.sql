-- The offers catalog, publishers' offerwalls, clicks on offerwall cards, and what a click
-- attributes to a conversion.

-- countries: comma-separated ISO 3166-1 alpha-2 codes, empty for everywhere.
CREATE TABLE offers (
    id            TEXT PRIMARY KEY,
    network_id    TEXT REFERENCES networks (id),
    name          TEXT NOT NULL,
    description   TEXT NOT NULL DEFAULT '',
    payout_cents  BIGINT NOT NULL CHECK (payout_cents > 0),
    url_template  TEXT NOT NULL,
    countries     TEXT NOT NULL DEFAULT '',
    device        TEXT NOT NULL CHECK (device IN ('desktop', 'mobile', 'all')),
    active        BIGINT NOT NULL DEFAULT 1,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX offers_active ON offers (active);

-- exchange_rate_micros: currency units per 1 USD, in millionths (exact). click_secret keys the
-- HMAC that signs the wall's click links; it never leaves the server.
CREATE TABLE offerwalls (
    id                    TEXT PRIMARY KEY,
    publisher_id          TEXT NOT NULL REFERENCES publishers (id),
    name                  TEXT NOT NULL,
    currency_name         TEXT NOT NULL,
    exchange_rate_micros  BIGINT NOT NULL CHECK (exchange_rate_micros > 0),
    rounding              TEXT NOT NULL CHECK (rounding IN ('down', 'nearest', 'up')),
    title                 TEXT,
    accent_color          TEXT,
    logo_url              TEXT,
    click_secret          TEXT NOT NULL,
    active                BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL
);
CREATE INDEX offerwalls_publisher ON offerwalls (publisher_id);

-- One row per click; its id is the {click_id} the advertiser receives. network_id is the
-- clicked offer's network at click time.
CREATE TABLE clicks (
    id            TEXT PRIMARY KEY,
    offerwall_id  TEXT NOT NULL REFERENCES offerwalls (id),
    publisher_id  TEXT NOT NULL REFERENCES publishers (id),
    offer_id      TEXT NOT NULL REFERENCES offers (id),
    network_id    TEXT,
    s1            TEXT,
    s2            TEXT,
    uid           TEXT,
    country       TEXT,
    device        TEXT NOT NULL,
    ip            TEXT NOT NULL,
    user_agent    TEXT NOT NULL,
    created_at    BIGINT NOT NULL
);
CREATE INDEX clicks_offerwall ON clicks (offerwall_id, created_at);

-- Attribution of a conversion to its click: the wall, the catalog offer and the click's sub-IDs.
ALTER TABLE conversions ADD COLUMN s1 TEXT;
ALTER TABLE conversions ADD COLUMN uid TEXT;
ALTER TABLE conversions ADD COLUMN offerwall_id TEXT;
ALTER TABLE conversions ADD COLUMN catalog_offer_id TEXT;
