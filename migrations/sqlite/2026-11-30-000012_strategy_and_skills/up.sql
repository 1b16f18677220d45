-- An organisation's collaboration strategy, kept as versions (each save adds
-- one; the latest is in force), its criteria, and people's collaboration
-- skills self-assessments (each taking kept, dated). Keep this file and its
-- twin in step.
CREATE TABLE collaboration_strategies (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    version INTEGER NOT NULL,
    outcomes TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (organisation_id, version)
);

CREATE TABLE strategy_criteria (
    strategy_id BIGINT NOT NULL REFERENCES collaboration_strategies (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    threshold DOUBLE,
    PRIMARY KEY (strategy_id, kind)
);

CREATE TABLE skills_assessments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    taken_at TIMESTAMP NOT NULL
);
-- A person's history, newest first; an organisation's people's latest.
CREATE INDEX skills_assessments_user_idx ON skills_assessments (user_id, taken_at);
CREATE INDEX skills_assessments_organisation_idx ON skills_assessments (organisation_id);

CREATE TABLE skills_answers (
    assessment_id BIGINT NOT NULL REFERENCES skills_assessments (id) ON DELETE CASCADE,
    statement TEXT NOT NULL,
    score INTEGER NOT NULL,
    PRIMARY KEY (assessment_id, statement)
);
