-- Imports match a partnership on its name and lead; without this each row scanned the lead's partnerships.
CREATE INDEX partnerships_name_idx ON partnerships (name);
