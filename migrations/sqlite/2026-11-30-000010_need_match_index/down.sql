DROP TABLE need_terms;
