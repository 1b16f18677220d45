DROP TABLE health_comments;
DROP TABLE health_answers;
DROP TABLE health_invitations;
DROP TABLE health_rounds;
DROP TABLE health_statements;
DROP TABLE health_factors;
DROP TABLE questionnaire_versions;
DROP TABLE questionnaires;
