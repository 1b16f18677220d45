-- Notifications, watching, delivery choices, reminders, jobs, and an outbox
-- that a sender claims, retries with backoff and never loses.
-- Keep this file and its twin in step: tests compare the two schemas.

-- The outbox: one sender claims a message at a time (status 'sending' until
-- claimed_until); a crash in between sending and marking leaves it to be
-- claimed again after that, and it goes out with the same Message-ID.
ALTER TABLE outbox ADD COLUMN message_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN html_body TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN list_unsubscribe TEXT NOT NULL DEFAULT '';
ALTER TABLE outbox ADD COLUMN status TEXT NOT NULL DEFAULT 'queued';
ALTER TABLE outbox ADD COLUMN next_attempt_at TIMESTAMP;
ALTER TABLE outbox ADD COLUMN claimed_until TIMESTAMP;
UPDATE outbox SET status = 'sent' WHERE sent_at IS NOT NULL;
UPDATE outbox SET message_id = '<outbox-' || CAST(id AS TEXT) || '@concord.invalid>';
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

-- Work to do later or on a schedule, run once by whichever instance claims it.
CREATE TABLE jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL DEFAULT '{}',
    -- A scheduled run ("reminders 2026-11-30") is queued once, however many
    -- instances try.
    unique_key TEXT UNIQUE,
    status TEXT NOT NULL DEFAULT 'queued',
    run_at TIMESTAMP NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    claimed_until TIMESTAMP,
    last_error TEXT,
    created_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_due_idx ON jobs (status, run_at);

CREATE TABLE notifications (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    title TEXT NOT NULL,
    link TEXT NOT NULL,
    audit_id BIGINT,
    delivery TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    digested_at TIMESTAMP
);
CREATE INDEX notifications_user_idx ON notifications (user_id, id);
CREATE INDEX notifications_unread_idx ON notifications (user_id, read_at);
CREATE INDEX notifications_digest_idx ON notifications (delivery, digested_at);

-- What a person watches beyond what they watch by being a member, and what
-- they stopped watching (watching = false).
CREATE TABLE watches (
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject_type TEXT NOT NULL,
    subject_id BIGINT NOT NULL,
    watching BOOLEAN NOT NULL,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, subject_type, subject_id)
);
CREATE INDEX watches_subject_idx ON watches (subject_type, subject_id);

-- How each kind of notification reaches a person: their own choice, else
-- their organisation's default, else Concord's.
CREATE TABLE delivery_choices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    organisation_id BIGINT REFERENCES organisations (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    delivery TEXT NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE UNIQUE INDEX delivery_choices_user_idx ON delivery_choices (user_id, kind);
CREATE UNIQUE INDEX delivery_choices_organisation_idx ON delivery_choices (organisation_id, kind);

-- Which reminders went to whom, so each goes once (again only after a week
-- while still overdue).
CREATE TABLE reminders_sent (
    reminder_key TEXT NOT NULL,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (reminder_key, user_id)
);

-- Secrets in links, stored hashed: a person's Atom feed, and one-click
-- unsubscribe links in email.
CREATE TABLE feed_tokens (
    user_id BIGINT PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL
);
CREATE TABLE unsubscribe_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL
);
