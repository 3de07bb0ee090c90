#!/usr/bin/env node
// Prints the SQL of every query the service runs, as a .sql file with a `-- name:` line before each statement:
// `node dist/print-queries.js > queries.sql`, for checking them against migrations before a deployment.
import { serverQueriesSql } from './queries.js';

process.stdout.write(serverQueriesSql());
