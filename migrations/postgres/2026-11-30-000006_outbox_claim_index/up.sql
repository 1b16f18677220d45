-- A sender takes the oldest queued message: with the status first and then
-- the id, that is the first row of an index walk, not a sort of the queue.
CREATE INDEX outbox_status_id_idx ON outbox (status, id);
