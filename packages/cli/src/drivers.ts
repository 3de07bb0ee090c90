import { type Driver, type DriverFactory, type OpenOptions, StrataError } from '@strata/core';
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
  /** How to wait for other processes using the file: the busy timeout, the stale limit, what to say while waiting. */
  readonly lock?: Pick<OpenOptions, 'busyTimeoutMs' | 'lockStaleMs' | 'onWait'>;
}

/**
 * The factory of the named driver. Each driver package is imported only when chosen, so better-sqlite3 users never
 * load the sql.js WASM, and the reverse. better-sqlite3 is an optional peer of the CLI: without it, choosing its
 * driver (the default) is an `INVALID_OPTION` saying what to install, or to pass `--driver sqljs`.
 *
 * @example
 * ```ts
 * const driver = await (await driverFactory('sqljs')).open('data/app.db');
 * ```
 */
export async function driverFactory(name: DriverName): Promise<DriverFactory> {
  if (name === 'sqljs') return (await import('@strata/driver-sqljs/node')).sqlJsFiles;
  try {
    return (await import('@strata/driver-better-sqlite3')).betterSqlite3;
  } catch (error) {
    if (!isMissing(error, 'better-sqlite3')) throw error;
    throw new StrataError(
      'INVALID_OPTION',
      'the better-sqlite3 driver (the default) needs the better-sqlite3 package, which is not installed: install it ' +
        '(npm install better-sqlite3@12), or pass --driver sqljs to use sql.js (npm install sql.js)',
      { cause: error },
    );
  }
}

/** Whether `error` says that the package `name` cannot be found. */
function isMissing(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error && error.message.includes(`'${name}'`);
}

/** Opens a database with the named driver, on a file or, for a file not created yet, in memory. */
export async function openDriver(name: DriverName, target: DriverTarget): Promise<Driver> {
  if (target.file !== undefined) {
    return (await driverFactory(name)).open(target.file, { ...target.lock, readonly: target.readonly });
  }
  // The sql.js file factory would tie the in-memory stand-in to a file named ":memory:"; it never needs storage.
  if (name === 'sqljs') return (await import('@strata/driver-sqljs')).createSqlJsDriver();
  return (await driverFactory(name)).open(':memory:');
}
