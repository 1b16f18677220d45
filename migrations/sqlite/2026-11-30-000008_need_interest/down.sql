DROP TABLE need_updates;
DROP TABLE need_interests;
