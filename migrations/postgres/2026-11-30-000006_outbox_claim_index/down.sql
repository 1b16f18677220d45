DROP INDEX outbox_status_id_idx;
