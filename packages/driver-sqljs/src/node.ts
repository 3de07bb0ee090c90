import type { DriverFactory } from '@strata/core';
import { createSqlJsFileDriver, type SqlJsFileDriver, type SqlJsFileOptions } from './file-driver.js';
import type { SqlJsDatabase } from './sqljs.js';

export type { SqlJsFileDriver, SqlJsFileOptions } from './file-driver.js';
export { fileStorage } from './file-storage.js';

/**
 * Opens a sql.js database kept in a file, which several processes may migrate at once.
 *
 * The database lives in memory and a save replaces the file whole, atomically. Every migrate, rollback and
 * `persist()` holds the lock `<path>.lock` (a folder beside the file, which Strata takes with either driver), waits
 * until no other program has the file open, first reloads the file if another process saved it since, and saves
 * before letting go, so processes take turns and none overwrites another's save. A process waits up to
 * `busyTimeoutMs` (30 s), then fails with `LOCK_TIMEOUT`; a lock left by a process that died is taken over at once.
 * A reload replaces `driver.database`, so read it from the driver each time. Reads outside those operations see this
 * process's copy, as of its last load, save or run. A file that SQLite may be using (WAL mode, a `-wal` or hot
 * `-journal` beside it) is refused: see `fileStorage`.
 *
 * @example
 * ```ts
 * const driver = await openSqlJsFile('data/app.db');
 * await new MigrationManager({ driver, ... }).migrate(); // persists to data/app.db
 * await driver.close();
 * ```
 */
export function openSqlJsFile<D extends SqlJsDatabase = SqlJsDatabase>(
  path: string,
  options: SqlJsFileOptions<D> = {},
): Promise<SqlJsFileDriver<D>> {
  return createSqlJsFileDriver(path, options);
}

/**
 * Opens sql.js drivers on files, for `DatabaseManager`, the CLI and backup checks. Of the connection settings only
 * `foreignKeys`, `busyTimeoutMs`, `lockStaleMs` and `onWait` apply: the database lives in memory, so it has no
 * journal or sync level of its own, and `busyTimeoutMs` is how long a run waits for the file's lock, which another
 * process holds for a whole run, and for other programs to close the file.
 *
 * @example
 * ```ts
 * const db = await DatabaseManager.open({ appName: 'case-crafter', driver: sqlJsFiles, migrations: 'migrations' });
 * ```
 */
export const sqlJsFiles: DriverFactory<SqlJsFileDriver> = {
  name: 'sqljs',
  open: (file, options = {}) => {
    const { foreignKeys, busyTimeoutMs, lockStaleMs, onWait } = options;
    return openSqlJsFile(file, {
      ...(foreignKeys === undefined ? {} : { foreignKeys }),
      ...(busyTimeoutMs === undefined ? {} : { busyTimeoutMs }),
      ...(lockStaleMs === undefined ? {} : { lockStaleMs }),
      ...(onWait === undefined ? {} : { onWait }),
    });
  },
};
