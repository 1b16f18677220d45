ALTER TABLE questionnaire_versions DROP COLUMN published_by;
ALTER TABLE health_rounds DROP COLUMN divergence_gap;
ALTER TABLE health_rounds DROP COLUMN min_group;
