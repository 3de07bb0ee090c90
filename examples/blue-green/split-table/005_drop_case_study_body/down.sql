-- Brings case_studies.body back where it was, from case_study_bodies, and the triggers that keep that table in step
-- (by a rebuild, which SQLite needs to put a column back in its place).
DROP TRIGGER "trg_case_studies_updated_at";
DROP INDEX "idx_case_studies_author_id";
DROP INDEX "idx_case_studies_author_updated";
DROP INDEX "idx_case_studies_domain_id";
DROP INDEX "idx_case_studies_domain_status_updated";
DROP INDEX "idx_case_studies_published";
CREATE TABLE "case_studies_strata_new" (
    id INTEGER PRIMARY KEY,
    -- RESTRICT: a domain that still holds case studies must not vanish with them.
    domain_id INTEGER NOT NULL REFERENCES domains (id) ON DELETE RESTRICT,
    -- SET NULL: published content outlives its author's account.
    author_id INTEGER REFERENCES users (id) ON DELETE SET NULL,
    title TEXT NOT NULL CHECK (length(trim(title)) > 0),
    summary TEXT,
    body TEXT NOT NULL DEFAULT '',
    difficulty TEXT NOT NULL DEFAULT 'intermediate' CHECK (difficulty IN ('beginner', 'intermediate', 'advanced')),
    status TEXT NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'published', 'archived')),
    published_at TEXT,
    created_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CHECK (status <> 'published' OR published_at IS NOT NULL)
);
INSERT INTO "case_studies_strata_new" ("id", "domain_id", "author_id", "title", "summary", "difficulty", "status", "published_at", "created_at", "updated_at") SELECT "id", "domain_id", "author_id", "title", "summary", "difficulty", "status", "published_at", "created_at", "updated_at" FROM "case_studies";
DROP TABLE "case_studies";
ALTER TABLE "case_studies_strata_new" RENAME TO "case_studies";
UPDATE case_studies SET body = coalesce((SELECT body FROM case_study_bodies WHERE case_study_id = case_studies.id), '');
CREATE INDEX idx_case_studies_author_id ON case_studies (author_id);
CREATE INDEX idx_case_studies_author_updated ON case_studies (author_id, updated_at DESC);
CREATE INDEX idx_case_studies_domain_id ON case_studies (domain_id);
CREATE INDEX idx_case_studies_domain_status_updated ON case_studies (domain_id, status, updated_at DESC);
CREATE INDEX idx_case_studies_published ON case_studies (published_at DESC) WHERE status = 'published';
CREATE TRIGGER case_study_bodies_on_insert
AFTER INSERT ON case_studies
BEGIN
    INSERT INTO case_study_bodies (case_study_id, body) VALUES (NEW.id, NEW.body)
    ON CONFLICT (case_study_id) DO UPDATE SET body = excluded.body;
END;
CREATE TRIGGER case_study_bodies_on_update
AFTER UPDATE OF body ON case_studies
BEGIN
    INSERT INTO case_study_bodies (case_study_id, body) VALUES (NEW.id, NEW.body)
    ON CONFLICT (case_study_id) DO UPDATE SET body = excluded.body;
END;
CREATE TRIGGER trg_case_studies_updated_at
AFTER UPDATE ON case_studies
FOR EACH ROW
WHEN NEW.updated_at IS OLD.updated_at AND NEW.updated_at IS NOT CURRENT_TIMESTAMP
BEGIN
    UPDATE case_studies SET updated_at = CURRENT_TIMESTAMP WHERE id = NEW.id;
END;
