-- Release 2 of 2 (contract): once no running release reads or writes case_studies.body.
DROP TRIGGER case_study_bodies_on_insert;
DROP TRIGGER case_study_bodies_on_update;
ALTER TABLE case_studies DROP COLUMN body;
