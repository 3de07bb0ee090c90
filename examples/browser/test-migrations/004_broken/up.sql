-- The first statement succeeds; the second fails, so the whole migration must be rolled back.
ALTER TABLE domains ADD COLUMN colour TEXT;
INSERT INTO table_that_does_not_exist (id) VALUES (1);
