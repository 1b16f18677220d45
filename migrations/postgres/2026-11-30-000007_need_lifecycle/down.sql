DROP INDEX needs_status_updated_idx;
ALTER TABLE needs DROP COLUMN asked_active_at;
ALTER TABLE needs DROP COLUMN partnership_id;
ALTER TABLE needs DROP COLUMN funding_target_pence;
ALTER TABLE needs DROP COLUMN terms;
