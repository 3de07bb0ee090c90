import { dirname } from 'node:path';
import { StrataError } from '@strata/core';
import {
  assertReplaceable,
  databaseHolders,
  describeHolders,
  type FileLockOptions,
  fileExclusive,
  removeLeftoverFiles,
} from '@strata/core/node/files';
import { fileStorage } from './file-storage.js';
import type { SharedStore } from './shared-store.js';

/**
 * The {@link SharedStore} of a database file: the file itself ({@link fileStorage}, which refuses what sql.js cannot
 * share safely) and Strata's lock of it (`<path>.lock`, the one every Strata process writing the file takes, whatever
 * its driver). Taking the lock also waits until no other program has the file open, and clears what a process killed
 * while it saved left behind.
 *
 * @example
 * ```ts
 * const { driver } = await openSharedDriver(fileStore('data/app.db', { timeoutMs: 30_000, staleMs: 10_000 }));
 * ```
 */
export function fileStore(path: string, lockOptions: FileLockOptions): SharedStore {
  const storage = fileStorage(path);
  return {
    name: path,
    holder: 'process',
    storage,
    beforeLock: () => assertReplaceable(path),
    lock(hooks) {
      const locked = fileExclusive(path, lockOptions, {
        inside: hooks.inside,
        // Programs that are not Strata (or Strata with the native driver, between its runs) take SQLite's locks,
        // which sql.js cannot see; while one has the file open, the run waits, as it waits for Strata's lock.
        busy: () => {
          const holders = databaseHolders(storage.target);
          return holders.length === 0 ? undefined : `${describeHolders(holders)} has ${path} open`;
        },
        busyTimeout: (busy, waitedMs) =>
          new StrataError(
            'LOCK_TIMEOUT',
            `waited ${waitedMs} ms, but ${busy}: sql.js cannot take SQLite’s locks, so it does not write a database ` +
              'another program has open. Stop that program (or close its connection), or use the better-sqlite3 ' +
              'driver; raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer',
            { file: path },
          ),
        enter: async () => {
          // What a process killed while it saved left behind; only the process holding the lock writes here.
          await removeLeftoverFiles(dirname(storage.target));
          await hooks.enter();
        },
      });
      return {
        run: locked.run,
        // The file lock tells a call made inside work from any other by itself.
        save: (work) => locked.run(work, { nested: false }),
        get held() {
          return locked.held;
        },
      };
    },
  };
}
