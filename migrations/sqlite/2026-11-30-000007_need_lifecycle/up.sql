-- What a need carries beyond its details: its analysed text for matching
-- (stored so every instance ranks from the same rows), the funding its owner
-- wants to pool, the partnership it became, and the "still active?" check.
-- Keep this file and its twin in step.
ALTER TABLE needs ADD COLUMN terms TEXT NOT NULL DEFAULT '';
ALTER TABLE needs ADD COLUMN funding_target_pence BIGINT;
ALTER TABLE needs ADD COLUMN partnership_id BIGINT REFERENCES partnerships (id) ON DELETE SET NULL;
ALTER TABLE needs ADD COLUMN asked_active_at TIMESTAMP;
CREATE INDEX needs_status_updated_idx ON needs (status, updated_at);
