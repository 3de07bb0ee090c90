import { fileURLToPath } from 'node:url';
import { openSqlJsFile } from '@strata/driver-sqljs/node';
import { describeCrashSafety, describeInterruptedNonTransactional } from '../../../test/support/crash.js';

// A lock a killed child left names a process that has ended: the next run takes it over at once, after every kill.
describeCrashSafety('sql.js', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: (path) => openSqlJsFile(path),
  // With the better-sqlite3 suite's 30, 50 kills in all; STRATA_CRASH_KILLS sets both (each kill takes about 0.8 s here).
  kills: Number(process.env.STRATA_CRASH_KILLS || 20),
});

describeInterruptedNonTransactional('sql.js', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: (path) => openSqlJsFile(path),
  writesThrough: false,
});
