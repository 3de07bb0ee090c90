import type { Driver } from '@strata/core';
import type { DriverName } from './args.js';

/** Which database to open, and how. */
export interface DriverTarget {
  /** The database file; undefined for an empty in-memory database, the stand-in for a file not created yet. */
  readonly file: string | undefined;
  /**
   * Whether the command only reads. better-sqlite3 then opens the file read-only, which also keeps it from switching
   * the file to WAL; sql.js holds the database in memory and only writes the file when a run changed something.
   */
  readonly readonly: boolean;
}

/**
 * Opens a database with the named driver. Each driver is imported only when chosen, so better-sqlite3 users never
 * load the sql.js WASM, and the reverse.
 */
export async function openDriver(name: DriverName, target: DriverTarget): Promise<Driver> {
  if (name === 'sqljs') {
    if (target.file === undefined) {
      const { createSqlJsDriver } = await import('@strata/driver-sqljs');
      return createSqlJsDriver();
    }
    const { openSqlJsFile } = await import('@strata/driver-sqljs/node');
    return openSqlJsFile(target.file);
  }
  const { createBetterSqlite3Driver } = await import('@strata/driver-better-sqlite3');
  if (target.file === undefined) return createBetterSqlite3Driver({ filename: ':memory:' });
  return createBetterSqlite3Driver({ filename: target.file, readonly: target.readonly });
}
