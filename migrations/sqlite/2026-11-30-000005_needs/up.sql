-- Needs and projects: what an organisation needs or is building, for others
-- with the same need to find. Keep this file and its twin in step.
CREATE TABLE needs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    title TEXT NOT NULL,
    problem TEXT NOT NULL,
    users_affected TEXT NOT NULL DEFAULT '',
    why_now TEXT NOT NULL DEFAULT '',
    phase TEXT NOT NULL,
    budget_band TEXT NOT NULL DEFAULT 'not_known',
    start_date DATE,
    end_date DATE,
    technologies TEXT NOT NULL DEFAULT '',
    visibility TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX needs_organisation_idx ON needs (organisation_id);
CREATE INDEX needs_updated_idx ON needs (updated_at);

CREATE TABLE need_services (
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    service_id BIGINT NOT NULL REFERENCES lgsl_services (id),
    PRIMARY KEY (need_id, service_id)
);
CREATE INDEX need_services_service_idx ON need_services (service_id);

-- What kinds of collaboration the owner wants (one or more).
CREATE TABLE need_collaborations (
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    collaboration TEXT NOT NULL,
    PRIMARY KEY (need_id, collaboration)
);

CREATE TABLE need_tags (
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (need_id, tag)
);
CREATE INDEX need_tags_tag_idx ON need_tags (tag);
