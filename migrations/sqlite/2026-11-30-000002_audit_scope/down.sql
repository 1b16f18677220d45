DROP INDEX audit_log_scope_idx;
ALTER TABLE audit_log DROP COLUMN scope_id;
ALTER TABLE audit_log DROP COLUMN scope_type;
