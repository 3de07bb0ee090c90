import { fileURLToPath } from 'node:url';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describeConcurrentMigrations } from '../../../test/support/concurrency.js';

describeConcurrentMigrations('better-sqlite3', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: async (filename) => createBetterSqlite3Driver({ filename }),
  // Each migration holds SQLite's write lock for one transaction; none should wait this long.
  childOptions: { busyTimeoutMs: 25_000 },
});
