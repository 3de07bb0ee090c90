import { fileURLToPath } from 'node:url';
import { openSqlJsFile } from '@strata/driver-sqljs/node';
import { describeConcurrentMigrations } from '../../../test/support/concurrency.js';

describeConcurrentMigrations('sql.js', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: (path) => openSqlJsFile(path),
  // One process runs everything while the others wait for the file's lock; none should wait this long.
  childOptions: { busyTimeoutMs: 25_000 },
});
