-- The partnership register: structure, members, objectives, governance,
-- shared risks, the costs-and-benefits ledger, reviews and SWOT.
-- Money is integer pence; shares are basis points (10000 = 100%).

CREATE TABLE partnerships (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    purpose TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL,
    degree TEXT NOT NULL,
    stage INTEGER NOT NULL,
    status TEXT NOT NULL,
    visibility TEXT NOT NULL,
    start_date DATE,
    end_date DATE,
    decision_body TEXT NOT NULL DEFAULT '',
    decision_rule TEXT NOT NULL DEFAULT '',
    meeting_cadence TEXT NOT NULL DEFAULT '',
    review_cadence_months INTEGER,
    next_review_due DATE,
    exit_plan TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX partnerships_status_idx ON partnerships (status);
CREATE INDEX partnerships_visibility_idx ON partnerships (visibility);
CREATE INDEX partnerships_next_review_idx ON partnerships (next_review_due);

CREATE TABLE partnership_services (
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    service_id BIGINT NOT NULL REFERENCES lgsl_services(id),
    PRIMARY KEY (partnership_id, service_id)
);

CREATE TABLE partnership_members (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    role TEXT NOT NULL,
    status TEXT NOT NULL,
    contact_name TEXT NOT NULL DEFAULT '',
    contact_email TEXT NOT NULL DEFAULT '',
    cost_share_bp INTEGER,
    invited_at TIMESTAMP NOT NULL,
    responded_at TIMESTAMP,
    UNIQUE (partnership_id, organisation_id)
);
CREATE INDEX partnership_members_org_idx ON partnership_members (organisation_id, status);

CREATE TABLE objectives (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    measure TEXT NOT NULL,
    unit TEXT NOT NULL DEFAULT '',
    baseline DOUBLE NOT NULL,
    target DOUBLE NOT NULL,
    start_date DATE NOT NULL,
    due_date DATE NOT NULL,
    owner_organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX objectives_partnership_idx ON objectives (partnership_id);

CREATE TABLE objective_updates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    objective_id BIGINT NOT NULL REFERENCES objectives(id) ON DELETE CASCADE,
    value DOUBLE NOT NULL,
    rag TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    recorded_on DATE NOT NULL,
    recorded_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX objective_updates_objective_idx ON objective_updates (objective_id);

CREATE TABLE agreements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    signed_on DATE,
    starts_on DATE,
    ends_on DATE,
    renewal_due DATE,
    document_url TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX agreements_partnership_idx ON agreements (partnership_id);

CREATE TABLE risks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL,
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    owner_organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    mitigation TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX risks_partnership_idx ON risks (partnership_id);

CREATE TABLE risk_shares (
    risk_id BIGINT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    share_bp INTEGER NOT NULL,
    PRIMARY KEY (risk_id, organisation_id)
);

CREATE TABLE risk_reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    risk_id BIGINT NOT NULL REFERENCES risks(id) ON DELETE CASCADE,
    reviewed_on DATE NOT NULL,
    likelihood INTEGER NOT NULL,
    impact INTEGER NOT NULL,
    status TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    reviewed_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX risk_reviews_risk_idx ON risk_reviews (risk_id);

CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    entry_type TEXT NOT NULL,
    basis TEXT NOT NULL,
    financial_year INTEGER NOT NULL,
    amount_pence BIGINT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ledger_entries_partnership_idx ON ledger_entries (partnership_id, financial_year);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    held_on DATE NOT NULL,
    findings TEXT NOT NULL,
    decision TEXT NOT NULL,
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX reviews_partnership_idx ON reviews (partnership_id);

CREATE TABLE review_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    review_id BIGINT NOT NULL REFERENCES reviews(id) ON DELETE CASCADE,
    description TEXT NOT NULL,
    owner_organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    due_on DATE NOT NULL,
    done_on DATE
);
CREATE INDEX review_actions_review_idx ON review_actions (review_id);

CREATE TABLE swot_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    quadrant TEXT NOT NULL,
    text TEXT NOT NULL,
    organisation_id BIGINT NOT NULL REFERENCES organisations(id),
    created_by BIGINT REFERENCES users(id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX swot_items_partnership_idx ON swot_items (partnership_id);

CREATE TABLE swot_votes (
    item_id BIGINT NOT NULL REFERENCES swot_items(id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    PRIMARY KEY (item_id, user_id)
);

CREATE INDEX audit_log_occurred_idx ON audit_log (entity_type, entity_id, occurred_at);
