-- Release 3 of 3 (contract): no running release reads or writes description any more (release 2 reads and writes
-- summary alone), so the old column and the triggers that fed the new one go.
DROP TRIGGER domains_summary_on_insert;
DROP TRIGGER domains_summary_on_update;
ALTER TABLE domains DROP COLUMN description;
