import { readFile } from 'node:fs/promises';
import type { DriverFactory } from '@strata/core';
import { errorCodeOf, writeFileAtomically } from '@strata/core/node';
import { createSqlJsDriver, type SqlJsDriver, type SqlJsDriverOptions, type SqlJsStorage } from './index.js';
import type { SqlJsDatabase } from './sqljs.js';

/**
 * Stores a sql.js database in a file. A save writes a temporary file in the same folder, flushes it to disk and
 * renames it over the target, so a crash leaves either the old file or the new one, never a mix. The folder must
 * exist; a file missing on load means a new database.
 *
 * @example
 * ```ts
 * const driver = await createSqlJsDriver({ storage: fileStorage('data/app.db') });
 * ```
 */
export function fileStorage(path: string): SqlJsStorage {
  return {
    async load() {
      try {
        return await readFile(path);
      } catch (error) {
        if (errorCodeOf(error) === 'ENOENT') return undefined;
        throw error;
      }
    },
    save: (bytes) => writeFileAtomically(path, bytes),
  };
}

/**
 * Opens a sql.js database kept in a file: {@link createSqlJsDriver} with {@link fileStorage}.
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
  options: Omit<SqlJsDriverOptions<D>, 'storage'> = {},
): Promise<SqlJsDriver<D>> {
  return createSqlJsDriver({ ...options, storage: fileStorage(path) });
}

/**
 * Opens sql.js drivers on files, for `DatabaseManager`, the CLI and backup checks. Of the connection settings only
 * `foreignKeys` applies: the database lives in memory, so it has no journal, lock or sync level of its own.
 *
 * @example
 * ```ts
 * const db = await DatabaseManager.open({ appName: 'case-crafter', driver: sqlJsFiles, migrations: 'migrations' });
 * ```
 */
export const sqlJsFiles: DriverFactory<SqlJsDriver> = {
  name: 'sqljs',
  open: (file, options = {}) =>
    openSqlJsFile(file, options.foreignKeys === undefined ? {} : { foreignKeys: options.foreignKeys }),
};
