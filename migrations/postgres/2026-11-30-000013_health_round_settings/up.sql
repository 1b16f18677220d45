-- Health checks: each round keeps its own report settings, and each
-- questionnaire version says who published it.
-- Keep this file and its twin in step.

-- The smallest group a report shows (never below 3), and the gap between
-- partners' means flagged as a divergence, in hundredths of a point.
ALTER TABLE health_rounds ADD COLUMN min_group INTEGER NOT NULL DEFAULT 3 CHECK (min_group >= 3);
ALTER TABLE health_rounds ADD COLUMN divergence_gap INTEGER NOT NULL DEFAULT 100 CHECK (divergence_gap BETWEEN 1 AND 400);

-- Who published a version (none for Concord's own, shipped as data).
ALTER TABLE questionnaire_versions ADD COLUMN published_by BIGINT REFERENCES users (id) ON DELETE SET NULL;
