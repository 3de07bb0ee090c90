-- Counts through millions of rows without storing them: long to run, small to save.
CREATE TABLE slow_results (total INTEGER NOT NULL);
WITH RECURSIVE numbers(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM numbers WHERE n < 20000000)
INSERT INTO slow_results (total) SELECT sum(n % 7) FROM numbers;
