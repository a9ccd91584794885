-- Fair deliveries (issue 14): the worker claims each publisher's due deliveries on their own, a
-- few at a time, so one publisher's backlog never hides another's. This index makes "does this
-- publisher have anything due" and "its next due ones, oldest first" one short range scan each,
-- however long another publisher's queue is.
CREATE INDEX deliveries_publisher_due ON deliveries (publisher_id, state, next_attempt_at);
