DROP TABLE skills_answers;
DROP TABLE skills_assessments;
DROP TABLE strategy_criteria;
DROP TABLE collaboration_strategies;
