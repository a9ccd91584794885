-- Per-source health (issue 15): the postback log names the sender of every call whose sender
-- is known, as it already does for networks (network_id) and providers (provider_id): the
-- program of a conversions-API call and the reward secret of a level postback. Calls refused
-- before their sender was known stay without one.
ALTER TABLE postback_log ADD COLUMN program_id TEXT;
ALTER TABLE postback_log ADD COLUMN reward_secret_id TEXT;
CREATE INDEX postback_log_program ON postback_log (program_id, received_at);
CREATE INDEX postback_log_reward_secret ON postback_log (reward_secret_id, received_at);

-- Conversions-API calls logged so far carry their program in their parameters.
UPDATE postback_log SET program_id = json_extract(params, '$.program_id')
WHERE source = 'api' AND json_valid(params) AND json_type(params, '$.program_id') = 'text';
