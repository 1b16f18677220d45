-- Foundation: organisations, the LGSL taxonomy, accounts, sessions, audit and outbox.
-- Keep this file and its SQLite twin in step: tests compare the two schemas.

CREATE TABLE similarity_groups (
    label TEXT PRIMARY KEY NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE organisations (
    id BIGSERIAL PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    short_name TEXT NOT NULL,
    type_code TEXT NOT NULL,
    type_name TEXT NOT NULL,
    gss_code TEXT UNIQUE,
    former_gss_codes TEXT NOT NULL DEFAULT '',
    nation TEXT,
    region TEXT,
    tier TEXT,
    county_code TEXT,
    combined_authority_code TEXT,
    population BIGINT,
    website TEXT,
    start_date DATE,
    end_date DATE,
    replaced_by TEXT,
    is_current BOOLEAN NOT NULL DEFAULT TRUE,
    similarity_label TEXT REFERENCES similarity_groups(label),
    search_text TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX organisations_type_idx ON organisations (type_code, is_current);
CREATE INDEX organisations_nation_region_idx ON organisations (nation, region);
CREATE INDEX organisations_similarity_idx ON organisations (similarity_label);

CREATE TABLE organisation_neighbours (
    organisation_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    neighbour_id BIGINT NOT NULL REFERENCES organisations(id) ON DELETE CASCADE,
    PRIMARY KEY (organisation_id, neighbour_id)
);

CREATE TABLE lgsl_functions (
    id BIGINT PRIMARY KEY,
    label TEXT NOT NULL,
    parent_id BIGINT REFERENCES lgsl_functions(id)
);

CREATE TABLE lgsl_services (
    id BIGINT PRIMARY KEY,
    label TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    providing_tier TEXT,
    govuk_title TEXT
);
CREATE INDEX lgsl_services_tier_idx ON lgsl_services (providing_tier);

CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL,
    is_active BOOLEAN NOT NULL DEFAULT TRUE,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX users_organisation_idx ON users (organisation_id);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

CREATE TABLE sign_in_failures (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL
);
CREATE INDEX sign_in_failures_email_idx ON sign_in_failures (email, occurred_at);

CREATE TABLE api_tokens (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    token_prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    last_used_at TIMESTAMP,
    revoked_at TIMESTAMP
);

CREATE TABLE invitations (
    id BIGSERIAL PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    email TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL,
    invited_by BIGINT NOT NULL REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    accepted_at TIMESTAMP
);
CREATE INDEX invitations_organisation_idx ON invitations (organisation_id);

CREATE TABLE audit_log (
    id BIGSERIAL PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor_user_id BIGINT REFERENCES users(id),
    actor_label TEXT NOT NULL,
    action TEXT NOT NULL,
    entity_type TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    organisation_id BIGINT REFERENCES organisations(id),
    before_json TEXT,
    after_json TEXT
);
CREATE INDEX audit_log_entity_idx ON audit_log (entity_type, entity_id);
CREATE INDEX audit_log_organisation_idx ON audit_log (organisation_id);

CREATE TABLE outbox (
    id BIGSERIAL PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT
);
CREATE INDEX outbox_unsent_idx ON outbox (sent_at);
