// Run by the concurrency and crash tests as a separate process; see test/support/migrate-child.mjs.
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { runMigrateChild } from '../../../test/support/migrate-child.mjs';

await runMigrateChild(async (file, options) => createBetterSqlite3Driver({ filename: file, ...options }));
