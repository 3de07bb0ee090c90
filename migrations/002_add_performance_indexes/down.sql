-- 002_add_performance_indexes (down): drops the indexes 002 created; 001's schema is left as it was.

DROP INDEX idx_progress_user_status_activity;
DROP INDEX idx_attempts_user_question_created;
DROP INDEX idx_attempts_user_created;
DROP INDEX idx_questions_case_study_position;
DROP INDEX idx_case_studies_published;
DROP INDEX idx_case_studies_author_updated;
DROP INDEX idx_case_studies_domain_status_updated;
