-- The ingest engine (issue 13): every postback writes a row into each index of its tables, and
-- most calls leave most sender columns empty (a CPA postback has no program, provider or reward
-- secret; a reward level has no network; few conversions carry a click id or a program). Those
-- indexes now hold only the rows that have the column, so a write no longer touches the others.
-- Every query that uses them compares the column with a value, which implies it is not NULL,
-- so each stays indexed.
DROP INDEX conversions_program;
CREATE INDEX conversions_program ON conversions (program_id, created_at) WHERE program_id IS NOT NULL;
DROP INDEX conversions_click;
CREATE INDEX conversions_click ON conversions (click_id) WHERE click_id IS NOT NULL;
DROP INDEX postback_log_network;
CREATE INDEX postback_log_network ON postback_log (network_id, received_at) WHERE network_id IS NOT NULL;
DROP INDEX postback_log_provider;
CREATE INDEX postback_log_provider ON postback_log (provider_id, received_at) WHERE provider_id IS NOT NULL;
DROP INDEX postback_log_program;
CREATE INDEX postback_log_program ON postback_log (program_id, received_at) WHERE program_id IS NOT NULL;
DROP INDEX postback_log_reward_secret;
CREATE INDEX postback_log_reward_secret ON postback_log (reward_secret_id, received_at) WHERE reward_secret_id IS NOT NULL;
