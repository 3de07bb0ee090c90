-- Brings description back where it was, from summary, and the triggers that keep summary in step (by a rebuild, which
-- SQLite needs to put a column back in its place).
DROP TRIGGER "trg_domains_updated_at";
CREATE TABLE "domains_strata_new" (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
, summary TEXT);
INSERT INTO "domains_strata_new" ("id", "slug", "name", "created_at", "updated_at", "summary") SELECT "id", "slug", "name", "created_at", "updated_at", "summary" FROM "domains";
DROP TABLE "domains";
ALTER TABLE "domains_strata_new" RENAME TO "domains";
UPDATE domains SET description = summary;
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
CREATE TRIGGER trg_domains_updated_at
AFTER UPDATE ON domains
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at AND NEW.updated_at IS NOT CURRENT_TIMESTAMP
BEGIN
    UPDATE domains SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
