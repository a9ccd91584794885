-- Reward games (seed 003): the catalogs a level postback is checked against, the reward API
-- secrets, reward users, and every accepted level postback (the seed's user_postbacks).
-- Coins live in the ledger on the account "reward_user:<uuid>".

CREATE TABLE store_apps (
    pid         TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE reward_games (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

-- A secret is valid from created_at until valid_until (NULL = open-ended) unless revoked.
CREATE TABLE reward_secrets (
    id           TEXT PRIMARY KEY,
    secret_hash  TEXT NOT NULL UNIQUE,
    hint         TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    valid_until  BIGINT,
    revoked_at   BIGINT
);

-- postback_seq numbers the user's postbacks; taking the next number locks the user's row, so
-- cursors handed to the reward app only ever grow in commit order.
CREATE TABLE reward_users (
    id            TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL,
    device_id     TEXT NOT NULL,
    postback_seq  BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL
);
CREATE INDEX reward_users_created_at ON reward_users (created_at);
CREATE INDEX reward_users_device ON reward_users (app_id, device_id);

-- (user_id, gid, level_number) is the exactly-once guarantee: a level is accepted once.
CREATE TABLE user_postbacks (
    user_id        TEXT NOT NULL REFERENCES reward_users (id),
    seq            BIGINT NOT NULL,
    gid            TEXT NOT NULL REFERENCES reward_games (id),
    pid            TEXT NOT NULL REFERENCES store_apps (pid),
    level_number   BIGINT NOT NULL CHECK (level_number > 0),
    milestone      INTEGER NOT NULL CHECK (milestone IN (0, 1)),
    awarded        INTEGER NOT NULL CHECK (awarded IN (0, 1)),
    coin_delta     BIGINT NOT NULL CHECK (coin_delta >= 0),
    reason         TEXT,
    conversion_id  TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    PRIMARY KEY (user_id, seq),
    UNIQUE (user_id, gid, level_number)
);
