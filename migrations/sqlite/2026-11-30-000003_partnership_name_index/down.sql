DROP INDEX partnerships_name_idx;
