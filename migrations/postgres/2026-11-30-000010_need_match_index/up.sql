-- The candidate index for matching needs: each need's written word stems
-- ("w:<stem>") and LGSL services, chosen or read from its text ("s:<id>"),
-- one row each, so matching one need reads only the needs that share one of
-- its rarest terms instead of every need. Written from the need's stored
-- terms whenever they change. Keep this file and its twin in step.
CREATE TABLE need_terms (
    need_id BIGINT NOT NULL REFERENCES needs (id) ON DELETE CASCADE,
    term TEXT NOT NULL,
    PRIMARY KEY (need_id, term)
);
CREATE INDEX need_terms_term_idx ON need_terms (term, need_id);
