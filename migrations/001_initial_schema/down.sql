-- 001_initial_schema (down): removes everything 001 created, leaving an empty schema.
-- Order: triggers, indexes, then tables children-first so no foreign key is left pointing at a dropped parent.
-- Default rows go with their tables.

DROP TRIGGER trg_settings_updated_at;
DROP TRIGGER trg_tags_updated_at;
DROP TRIGGER trg_progress_updated_at;
DROP TRIGGER trg_attempts_updated_at;
DROP TRIGGER trg_questions_updated_at;
DROP TRIGGER trg_case_studies_updated_at;
DROP TRIGGER trg_domains_updated_at;
DROP TRIGGER trg_users_updated_at;

DROP INDEX idx_case_study_tags_tag_id;
DROP INDEX idx_progress_case_study_id;
DROP INDEX idx_attempts_question_id;
DROP INDEX idx_attempts_user_id;
DROP INDEX idx_questions_case_study_id;
DROP INDEX idx_case_studies_author_id;
DROP INDEX idx_case_studies_domain_id;

DROP TABLE case_study_tags;
DROP TABLE progress;
DROP TABLE attempts;
DROP TABLE questions;
DROP TABLE case_studies;
DROP TABLE tags;
DROP TABLE settings;
DROP TABLE domains;
DROP TABLE users;
