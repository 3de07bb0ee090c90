import { fileURLToPath } from 'node:url';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describeCrashSafety, describeInterruptedNonTransactional } from '../../../test/support/crash.js';

describeCrashSafety('better-sqlite3', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: async (filename) => createBetterSqlite3Driver({ filename }),
  // With the sql.js suite's 20, 50 kills in all; STRATA_CRASH_KILLS sets both (each kill takes about 0.4 s here).
  kills: Number(process.env.STRATA_CRASH_KILLS || 30),
});

describeInterruptedNonTransactional('better-sqlite3', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: async (filename) => createBetterSqlite3Driver({ filename }),
  writesThrough: true,
});
