DROP TABLE need_tags;
DROP TABLE need_collaborations;
DROP TABLE need_services;
DROP TABLE needs;
