import { existsSync } from 'node:fs';
import { type Driver, type DriverFactory, type OpenOptions, StrataError } from '@strata/core';
import { isWalDatabase } from '@strata/core/node/files';
import type { DriverName } from './args.js';
import type { ConnectionOptions } from './connection-options.js';
import { isServerDatabase, shownDatabase } from './database-url.js';

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
  /** The connection settings given; a read-only command applies only foreign keys, and never the journal mode. */
  readonly connection?: ConnectionOptions;
  /** The token the libsql driver sends to a server. */
  readonly authToken?: string;
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
  if (name === 'libsql') return libsqlFactory();
  if (name === 'rqlite') return (await import('@strata/driver-rqlite')).rqlite;
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

/** The libsql driver's factory; @libsql/client is an optional peer of the CLI, as better-sqlite3 is. */
async function libsqlFactory(): Promise<DriverFactory> {
  try {
    return (await import('@strata/driver-libsql')).libsql;
  } catch (error) {
    if (!isMissing(error, '@libsql/client')) throw error;
    throw new StrataError(
      'INVALID_OPTION',
      'the libsql driver needs the @libsql/client package, which is not installed: install it (npm install @libsql/client@0.18)',
      { cause: error },
    );
  }
}

export { takesUrl } from './database-url.js';

/**
 * Refuses a command that works on a database file (`backup`, `restore`) on a database that is a server's (see
 * {@link isServerDatabase}: rqlite, libsql by URL), with `NOT_SUPPORTED`, before anything is opened or created:
 * there is no file to copy or replace.
 *
 * @example
 * ```ts
 * refuseServerDatabase('rqlite', 'http://127.0.0.1:4001', 'backup'); // throws: rqlite's own backup API makes one
 * ```
 */
export function refuseServerDatabase(name: DriverName, db: string, command: string): void {
  if (!isServerDatabase(name, db)) return;
  const own = name === 'rqlite' ? ' (rqlite: GET /db/backup, POST /boot)' : '';
  throw new StrataError(
    'NOT_SUPPORTED',
    `${command} works on a database file, and ${shownDatabase(db)} (${name}) is a server's database: use the server's own backups${own}`,
  );
}

/** Whether `error`, or the error it wraps, says that the package `name` cannot be found. */
export function isMissing(error: unknown, name: string): boolean {
  if (error instanceof StrataError && error.cause !== undefined) return isMissing(error.cause, name);
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'ERR_MODULE_NOT_FOUND' && error instanceof Error && error.message.includes(`'${name}'`);
}

/** Opens a database with the named driver, on a file or, for a file not created yet, in memory. */
export async function openDriver(name: DriverName, target: DriverTarget): Promise<Driver> {
  const { file, readonly, lock, connection = {} } = target;
  if (name === 'libsql' && file !== undefined) {
    // A server or a file behind libSQL's own client: read-only is not the client's to set.
    const token = target.authToken === undefined ? {} : { authToken: target.authToken };
    return (await driverFactory(name)).open(file, { ...lock, ...connection, ...token });
  }
  if (file !== undefined) {
    const factory = await driverFactory(name);
    if (!readonly) return factory.open(file, { ...lock, ...connection, readonly });
    const options = { ...lock, ...(connection.foreignKeys === undefined ? {} : { foreignKeys: connection.foreignKeys }) };
    if (name === 'better-sqlite3' && walWithoutLog(file)) return readingWalFile(factory, file, options);
    return factory.open(file, { ...options, readonly });
  }
  // The sql.js file factory would tie the in-memory stand-in to a file named ":memory:"; it never needs storage.
  if (name === 'sqljs') return (await import('@strata/driver-sqljs')).createSqlJsDriver();
  return (await driverFactory(name)).open(':memory:');
}

/**
 * A read-only better-sqlite3 connection on a WAL database leaves its `-wal` and `-shm` files behind (only a connection
 * that may write removes them as it closes). On a WAL file that has neither, so no other connection has it open, the
 * connection of a command that only reads is opened for writing, without a journal-mode switch, and cleans up after
 * itself; the command writes nothing through it (not `PRAGMA query_only`, which would refuse a backup's VACUUM INTO).
 * Where the file cannot be opened for writing, read-only it is.
 */
async function readingWalFile(factory: DriverFactory, file: string, options: OpenOptions): Promise<Driver> {
  try {
    return await factory.open(file, options);
  } catch {
    return factory.open(file, { ...options, readonly: true });
  }
}

/** Whether `file` is a WAL database with no `-wal` or `-shm` beside it: no other connection has it open. */
function walWithoutLog(file: string): boolean {
  return !existsSync(`${file}-wal`) && !existsSync(`${file}-shm`) && isWalDatabase(file);
}
