-- The column may be NULL again.
DROP TRIGGER "trg_domains_updated_at";
CREATE TABLE "domains_strata_new" (
    id INTEGER PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE CHECK (slug GLOB '[a-z0-9]*' AND slug NOT GLOB '*[^a-z0-9-]*'),
    name TEXT NOT NULL CHECK (length(trim(name)) > 0),
    description TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP
, color TEXT);
INSERT INTO "domains_strata_new" ("id", "slug", "name", "description", "created_at", "updated_at", "color") SELECT "id", "slug", "name", "description", "created_at", "updated_at", "color" FROM "domains";
DROP TABLE "domains";
ALTER TABLE "domains_strata_new" RENAME TO "domains";
CREATE TRIGGER trg_domains_updated_at
AFTER UPDATE ON domains
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at AND NEW.updated_at IS NOT CURRENT_TIMESTAMP
BEGIN
    UPDATE domains SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
