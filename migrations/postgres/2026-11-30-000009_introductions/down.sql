DROP TABLE introduction_parties;
DROP TABLE introductions;
DROP TABLE brokers;
