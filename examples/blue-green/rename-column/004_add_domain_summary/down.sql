DROP TRIGGER domains_summary_on_update;
DROP TRIGGER domains_summary_on_insert;
ALTER TABLE domains DROP COLUMN summary;
