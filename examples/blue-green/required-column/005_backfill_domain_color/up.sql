-- Release 2 of 2, first step (contract by declaration): domains saved by the previous release have no colour. Only
-- rows change, which the previous release would tolerate, but it would go on saving domains without one, so this runs
-- once it is gone. There is no down.sql: which domains had no colour is not kept.
UPDATE domains SET color = '#6b7280' WHERE color IS NULL;
