-- Each audit entry names the record it belongs to (a partnership, say), so
-- lists of entries can apply that record's visibility rule in SQL.
ALTER TABLE audit_log ADD COLUMN scope_type TEXT;
ALTER TABLE audit_log ADD COLUMN scope_id BIGINT;
UPDATE audit_log SET scope_type = entity_type, scope_id = CAST(entity_id AS BIGINT)
    WHERE entity_type = 'partnership';
CREATE INDEX audit_log_scope_idx ON audit_log (scope_type, scope_id, id);
