-- Sign-in throttling by client address as well as by account, and sessions
-- a person can recognise and end from their account page.
ALTER TABLE sign_in_failures ADD COLUMN client TEXT NOT NULL DEFAULT '';
CREATE INDEX sign_in_failures_client_idx ON sign_in_failures (client, occurred_at);
ALTER TABLE sessions ADD COLUMN user_agent TEXT NOT NULL DEFAULT '';
