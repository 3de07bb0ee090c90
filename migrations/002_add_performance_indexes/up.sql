-- 002_add_performance_indexes: indexes for the app's common queries.
--
-- 001 indexed each foreign key column on its own; these composite indexes let the frequent listings filter and
-- sort from one index instead of filtering by the key and then sorting in a temporary B-tree.

-- Domain page: a domain's case studies with a given status, most recently edited first.
CREATE INDEX idx_case_studies_domain_status_updated ON case_studies (domain_id, status, updated_at DESC);

-- Author dashboard: an author's case studies, most recently edited first.
CREATE INDEX idx_case_studies_author_updated ON case_studies (author_id, updated_at DESC);

-- Public catalogue: published case studies, newest first. Partial, because drafts and archived ones are never
-- listed there; queries must say `WHERE status = 'published'` for SQLite to use it.
CREATE INDEX idx_case_studies_published ON case_studies (published_at DESC) WHERE status = 'published';

-- Practice view: a case study's questions in order.
CREATE INDEX idx_questions_case_study_position ON questions (case_study_id, position);

-- Learner history: a user's attempts, newest first.
CREATE INDEX idx_attempts_user_created ON attempts (user_id, created_at DESC);

-- Resuming a case study: a user's latest attempt at each question.
CREATE INDEX idx_attempts_user_question_created ON attempts (user_id, question_id, created_at DESC);

-- Learner dashboard: a user's case studies by status, most recently active first.
CREATE INDEX idx_progress_user_status_activity ON progress (user_id, status, last_activity_at DESC);
