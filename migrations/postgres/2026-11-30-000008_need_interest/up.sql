-- Interest in a need (watching, contributing, co-funding with a pledge) and
-- the updates its owner posts to those who joined in. One interest per
-- organisation per need. Keep this file and its twin in step.
CREATE TABLE need_interests (
    id BIGSERIAL PRIMARY KEY,
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    kind TEXT NOT NULL,
    pledge_pence BIGINT,
    note TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'pending',
    decline_reason TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP,
    responded_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (need_id, organisation_id)
);
-- The reminder job looks for interest left pending.
CREATE INDEX need_interests_status_idx ON need_interests (status, updated_at);

CREATE TABLE need_updates (
    id BIGSERIAL PRIMARY KEY,
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    body TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX need_updates_need_idx ON need_updates (need_id, created_at);
