-- Several instances on one PostgreSQL (issue 15): each claim of a delivery carries its own token,
-- so a worker whose lease ran out (and whose delivery another worker claimed again) can no longer
-- settle it; its attempt is still logged. NULL while the delivery is not claimed.
ALTER TABLE deliveries ADD COLUMN claim_token TEXT;
