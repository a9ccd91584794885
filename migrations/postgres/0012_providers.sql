-- Offerwall providers (SPEC F): other offerwalls that send their postbacks to
-- /api/postback/in/{id}. The secret is kept as given (it is needed to verify every call) and
-- listed only by its hint; during a rotation the previous secret keeps working until
-- previous_valid_until. Conversions from providers live in `conversions` with source
-- 'provider', scope = provider id and dedup_key = the provider's transaction id.
CREATE TABLE providers (
    id                    TEXT PRIMARY KEY,
    name                  TEXT NOT NULL,
    preset                TEXT NOT NULL CHECK (preset IN ('medioot', 'taprain', 'custom')),
    -- The custom parameter names and recipe as JSON; NULL for a preset.
    custom_config         TEXT,
    secret                TEXT NOT NULL,
    secret_hint           TEXT NOT NULL,
    previous_secret       TEXT,
    previous_secret_hint  TEXT,
    previous_valid_until  BIGINT,
    rounding              TEXT NOT NULL DEFAULT 'down' CHECK (rounding IN ('down', 'up', 'nearest')),
    sandbox               BIGINT NOT NULL DEFAULT 0,
    active                BIGINT NOT NULL DEFAULT 1,
    created_at            BIGINT NOT NULL,
    updated_at            BIGINT NOT NULL,
    CHECK (preset = 'custom' OR custom_config IS NULL)
);
CREATE INDEX providers_created_at ON providers (created_at);

CREATE TABLE provider_ips (
    provider_id  TEXT NOT NULL REFERENCES providers (id),
    cidr         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (provider_id, cidr)
);

-- Source addresses refused for a provider, waiting for an admin's one-click approval.
CREATE TABLE provider_refused_ips (
    provider_id  TEXT NOT NULL REFERENCES providers (id),
    ip           TEXT NOT NULL,
    count        BIGINT NOT NULL,
    first_seen   BIGINT NOT NULL,
    last_seen    BIGINT NOT NULL,
    PRIMARY KEY (provider_id, ip)
);

-- Calls from providers are logged with the provider they were addressed to.
ALTER TABLE postback_log ADD COLUMN provider_id TEXT;
CREATE INDEX postback_log_provider ON postback_log (provider_id, received_at);

-- A sandbox network key: its calls are checked and answered but never credited or relayed.
ALTER TABLE network_keys ADD COLUMN sandbox BIGINT NOT NULL DEFAULT 0;
