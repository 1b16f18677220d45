-- Partnership health checks: questionnaires in versions, rounds run by a
-- partnership's lead, invitations answered by link without an account.
-- Keep this file and its twin in step (only the key columns and booleans differ).

-- A questionnaire: Concord's own (organisation_id NULL) or an organisation's.
CREATE TABLE questionnaires (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT REFERENCES organisations (id),
    name TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX questionnaires_organisation_idx ON questionnaires (organisation_id);

-- A published version never changes; a new version is a copy edited.
CREATE TABLE questionnaire_versions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    questionnaire_id BIGINT NOT NULL REFERENCES questionnaires (id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    published_at TIMESTAMP NOT NULL,
    UNIQUE (questionnaire_id, version)
);

CREATE TABLE health_factors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    version_id BIGINT NOT NULL REFERENCES questionnaire_versions (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    UNIQUE (version_id, code)
);

CREATE TABLE health_statements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    factor_id BIGINT NOT NULL REFERENCES health_factors (id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    text TEXT NOT NULL
);
CREATE INDEX health_statements_factor_idx ON health_statements (factor_id);

-- A round keeps the version it started with.
CREATE TABLE health_rounds (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    partnership_id BIGINT NOT NULL REFERENCES partnerships (id) ON DELETE CASCADE,
    version_id BIGINT NOT NULL REFERENCES questionnaire_versions (id),
    title TEXT NOT NULL,
    opens_on DATE NOT NULL,
    closes_on DATE NOT NULL,
    status TEXT NOT NULL DEFAULT 'open',
    created_by BIGINT REFERENCES users (id) ON DELETE SET NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX health_rounds_partnership_idx ON health_rounds (partnership_id, opens_on);

-- One invitation per stakeholder; the link's token is stored only as a hash.
CREATE TABLE health_invitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    round_id BIGINT NOT NULL REFERENCES health_rounds (id) ON DELETE CASCADE,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    email TEXT NOT NULL,
    role TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TIMESTAMP NOT NULL,
    invited_at TIMESTAMP NOT NULL,
    reminded_at TIMESTAMP,
    responded_at TIMESTAMP
);
CREATE INDEX health_invitations_round_idx ON health_invitations (round_id);

-- Score 1 (strongly disagree) to 5 (strongly agree), or "don't know" (no score).
CREATE TABLE health_answers (
    invitation_id BIGINT NOT NULL REFERENCES health_invitations (id) ON DELETE CASCADE,
    statement_id BIGINT NOT NULL REFERENCES health_statements (id),
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    dont_know BOOLEAN NOT NULL DEFAULT 0,
    PRIMARY KEY (invitation_id, statement_id)
);
CREATE INDEX health_answers_statement_idx ON health_answers (statement_id);

CREATE TABLE health_comments (
    invitation_id BIGINT NOT NULL REFERENCES health_invitations (id) ON DELETE CASCADE,
    factor_id BIGINT NOT NULL REFERENCES health_factors (id),
    text TEXT NOT NULL,
    PRIMARY KEY (invitation_id, factor_id)
);

-- Concord's own questionnaire, version 1 (the same statements in both twins).
INSERT INTO questionnaires (organisation_id, name, created_at) VALUES (NULL, 'Concord partnership health check', CURRENT_TIMESTAMP);
INSERT INTO questionnaire_versions (questionnaire_id, version, published_at)
    SELECT id, 1, CURRENT_TIMESTAMP FROM questionnaires WHERE organisation_id IS NULL;
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 1, 'strategy', 'Strategy', 'Why the partnership exists and how it fits what each partner is trying to achieve.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'The partnership has a clear purpose that I could explain to a colleague.' FROM health_factors WHERE code = 'strategy';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'The partnership''s purpose fits my organisation''s own plans and priorities.' FROM health_factors WHERE code = 'strategy';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Partners agree on what the partnership is for and what it is not for.' FROM health_factors WHERE code = 'strategy';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 2, 'objectives', 'Objectives', 'What the partnership has agreed to achieve, and by when.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'The partnership''s objectives are written down and agreed by every partner.' FROM health_factors WHERE code = 'objectives';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Each objective has someone who answers for it and a date to meet it.' FROM health_factors WHERE code = 'objectives';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'The objectives are realistic for the money, people and time we have.' FROM health_factors WHERE code = 'objectives';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 3, 'delivery', 'Delivery', 'How the work gets done day to day.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'The partnership delivers what it says it will, when it says it will.' FROM health_factors WHERE code = 'delivery';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Problems in delivery are raised early and dealt with together.' FROM health_factors WHERE code = 'delivery';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'People doing the work know who to go to in each partner organisation.' FROM health_factors WHERE code = 'delivery';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 4, 'measurement', 'Measurement', 'How the partnership knows whether it is working.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'We measure progress against the objectives regularly.' FROM health_factors WHERE code = 'measurement';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'The figures we report are trusted by every partner.' FROM health_factors WHERE code = 'measurement';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'What we measure tells us about results, not only about activity.' FROM health_factors WHERE code = 'measurement';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 5, 'outcomes', 'Outcomes', 'What difference the partnership makes for residents and services.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'The partnership has made a real difference for the people it serves.' FROM health_factors WHERE code = 'outcomes';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'The partnership achieves more than the partners could achieve on their own.' FROM health_factors WHERE code = 'outcomes';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'The benefits of the partnership are worth what it costs my organisation.' FROM health_factors WHERE code = 'outcomes';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 6, 'trust', 'Trust', 'Whether partners can rely on each other.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'I trust the other partners to do what they have agreed to do.' FROM health_factors WHERE code = 'trust';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Partners share information openly, including bad news.' FROM health_factors WHERE code = 'trust';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Disagreements are settled fairly and without lasting damage.' FROM health_factors WHERE code = 'trust';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 7, 'commitment', 'Commitment and ownership', 'Whether every partner treats the partnership as its own.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'Every partner puts in the time and people it promised.' FROM health_factors WHERE code = 'commitment';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Senior people in each partner organisation back the partnership.' FROM health_factors WHERE code = 'commitment';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Partners feel the partnership belongs to all of them, not to one.' FROM health_factors WHERE code = 'commitment';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 8, 'governance', 'Governance and arrangements', 'How decisions are made, recorded and checked.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'It is clear who can decide what, and how decisions are made.' FROM health_factors WHERE code = 'governance';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'The partnership''s agreement, roles and meetings work well in practice.' FROM health_factors WHERE code = 'governance';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Decisions are recorded and followed up.' FROM health_factors WHERE code = 'governance';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 9, 'communication', 'Communication', 'How partners and the people they serve hear about the partnership.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'I hear what I need to know about the partnership in good time.' FROM health_factors WHERE code = 'communication';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Each partner tells its own staff about the partnership''s work.' FROM health_factors WHERE code = 'communication';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Residents and service users are told what the partnership is doing for them.' FROM health_factors WHERE code = 'communication';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 10, 'risk_sharing', 'Risk sharing', 'How risks, costs and rewards are shared between partners.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'Risks are identified and shared out in a way partners think is fair.' FROM health_factors WHERE code = 'risk_sharing';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Costs and savings are shared as the partners agreed.' FROM health_factors WHERE code = 'risk_sharing';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'No partner is left carrying a problem on its own.' FROM health_factors WHERE code = 'risk_sharing';
INSERT INTO health_factors (version_id, position, code, name, description)
    SELECT id, 11, 'learning', 'Learning', 'Whether the partnership learns and improves.' FROM questionnaire_versions;
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 1, 'The partnership reviews how it is working and changes what does not work.' FROM health_factors WHERE code = 'learning';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 2, 'Lessons are shared between partners and with others who could use them.' FROM health_factors WHERE code = 'learning';
INSERT INTO health_statements (factor_id, position, text)
    SELECT id, 3, 'Staff in each partner learn from working with the others.' FROM health_factors WHERE code = 'learning';
