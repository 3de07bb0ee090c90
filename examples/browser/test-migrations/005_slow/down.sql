DROP TABLE slow_results;
