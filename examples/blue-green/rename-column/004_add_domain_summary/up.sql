-- Release 1 of 3 renaming domains.description to domains.summary (expand): the new column, filled from the old one,
-- and kept in step by triggers while the previous release still writes description alone. This release writes both
-- columns and reads summary.
ALTER TABLE domains ADD COLUMN summary TEXT;
UPDATE domains SET summary = description;

CREATE TRIGGER domains_summary_on_insert
AFTER INSERT ON domains
WHEN NEW.summary IS NULL AND NEW.description IS NOT NULL
BEGIN
    UPDATE domains SET summary = NEW.description WHERE id = NEW.id;
END;

CREATE TRIGGER domains_summary_on_update
AFTER UPDATE OF description ON domains
WHEN NEW.summary IS OLD.summary
BEGIN
    UPDATE domains SET summary = NEW.description WHERE id = NEW.id;
END;
