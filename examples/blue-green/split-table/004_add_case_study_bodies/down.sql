DROP TRIGGER case_study_bodies_on_update;
DROP TRIGGER case_study_bodies_on_insert;
DROP TABLE case_study_bodies;
