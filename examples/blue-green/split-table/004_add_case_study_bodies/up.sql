-- Release 1 of 2 splitting the bodies of case studies into a table of their own (expand): lists of case studies no
-- longer read the large texts. The new table is filled from the old column and kept in step by triggers while the
-- previous release still writes case_studies.body; this release reads case_study_bodies and writes both.
CREATE TABLE case_study_bodies (
    case_study_id INTEGER PRIMARY KEY REFERENCES case_studies (id) ON DELETE CASCADE,
    body TEXT NOT NULL DEFAULT ''
);
INSERT INTO case_study_bodies (case_study_id, body) SELECT id, body FROM case_studies;

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
