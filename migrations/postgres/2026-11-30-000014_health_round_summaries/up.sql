-- A closed round's headline figures (overall, placement, trend,
-- divergences), kept so the health portfolio reads one row a partnership
-- instead of every answer. Forgotten whenever a round of the partnership
-- closes; recomputed when next read.
CREATE TABLE health_round_summaries (
    round_id BIGINT PRIMARY KEY NOT NULL REFERENCES health_rounds(id) ON DELETE CASCADE,
    partnership_id BIGINT NOT NULL REFERENCES partnerships(id) ON DELETE CASCADE,
    summary TEXT NOT NULL,
    computed_at TIMESTAMP NOT NULL
);
CREATE INDEX health_round_summaries_partnership ON health_round_summaries(partnership_id);
-- The portfolio finds each partnership's latest closed round.
CREATE INDEX health_rounds_partnership_closed ON health_rounds(partnership_id, status, closes_on);
