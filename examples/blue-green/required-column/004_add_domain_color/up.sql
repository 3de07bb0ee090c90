-- Release 1 of 2 (expand): the new column, nullable, so the previous release's inserts, which do not name it, still
-- succeed. This release writes a colour for every domain it saves.
ALTER TABLE domains ADD COLUMN color TEXT;
