import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { openSqlJsFile } from '@strata/driver-sqljs/node';
import { describeCrashSafety, describeInterruptedNonTransactional } from '../../../test/support/crash.js';

describeCrashSafety('sql.js', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  // The shortest stale time there is, for the kills whose lock is left to go stale.
  open: (path) => openSqlJsFile(path, { lockStaleMs: 2000 }),
  // With the better-sqlite3 suite's 30, 50 kills in all; STRATA_CRASH_KILLS sets both (each kill takes about 0.8 s here).
  kills: Number(process.env.STRATA_CRASH_KILLS || 20),
  afterKill: (db, kill) => {
    // A lock a dead child left is taken over once stale, which the new run waits for after every 20th kill; after
    // the others it is removed, as an operator would, since waiting every time would take minutes.
    if (kill % 20 !== 0) rmSync(`${db}.lock`, { recursive: true, force: true });
  },
});

describeInterruptedNonTransactional('sql.js', {
  childScript: fileURLToPath(new URL('./migrate-child.mjs', import.meta.url)),
  open: (path) => openSqlJsFile(path, { lockStaleMs: 2000 }),
  writesThrough: false,
  afterKill: (db) => rmSync(`${db}.lock`, { recursive: true, force: true }),
});
