-- Store apps and reward games can be deactivated (and reactivated) by an admin: a level
-- postback naming an inactive one is refused like an unknown one.
ALTER TABLE store_apps ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
ALTER TABLE reward_games ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
-- The audit log is filtered by actor and target as well as by action and date.
CREATE INDEX audit_log_actor ON audit_log (actor, id);
CREATE INDEX audit_log_target ON audit_log (target, id);
