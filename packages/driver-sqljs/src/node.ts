import type { DriverFactory } from '@strata/core';
import { openSqlJsFile, type SqlJsFileDriver } from './file-driver.js';

export { openSqlJsFile, type SqlJsFileDriver, type SqlJsFileOptions } from './file-driver.js';
export { fileStorage } from './file-storage.js';
export type { SharedSqlJsOptions, SqlJsSharedDriver } from './shared-driver.js';

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
  thread: { module: import.meta.url, export: 'sqlJsFiles' },
};
