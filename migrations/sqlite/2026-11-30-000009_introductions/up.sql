-- Brokers and their introductions: a broker organisation (a regional body,
-- the LGA) proposes that two or more organisations work together; each
-- answers for itself. Keep this file and its twin in step.
CREATE TABLE brokers (
    organisation_id BIGINT PRIMARY KEY REFERENCES organisations (id),
    granted_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    granted_at TIMESTAMP NOT NULL
);

CREATE TABLE introductions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    broker_organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    proposed_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    need_id BIGINT REFERENCES needs (id) ON DELETE SET NULL,
    note TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'proposed',
    partnership_id BIGINT REFERENCES partnerships (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    converted_at TIMESTAMP
);
-- The dashboard counts a broker's introductions by month.
CREATE INDEX introductions_broker_idx ON introductions (broker_organisation_id, created_at);

CREATE TABLE introduction_parties (
    introduction_id BIGINT NOT NULL REFERENCES introductions (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    status TEXT NOT NULL DEFAULT 'pending',
    reason TEXT,
    responded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    responded_at TIMESTAMP,
    PRIMARY KEY (introduction_id, organisation_id)
);
-- Lists and the visibility rule look parties up by organisation.
CREATE INDEX introduction_parties_organisation_idx ON introduction_parties (organisation_id);
