import { join, resolve } from 'node:path';
import { StrataError } from '@strata/core';
import { checkDatabaseFile } from '@strata/core/node/database-file';
import type { VersionScheme } from '@strata/core/node/operations';
import { type DriverName, type GlobalOptions, SERVER_DRIVERS } from './args.js';
import { findConfig } from './config.js';
import type { ConnectionOptions } from './connection-options.js';
import { fileUrlPath, isDatabaseUrl, shownDatabase, takesUrl } from './database-url.js';
import type { Io } from './io.js';
import { UsageError } from './usage-error.js';

/**
 * Where a command works, with every path absolute: the command line over the environment over the config file over
 * the defaults.
 */
export interface Settings {
  /** The working folder; output names files relative to it. */
  readonly cwd: string;
  /** The database file, which may not exist yet, or (with the libsql driver) the database's URL. */
  readonly databaseFile: string;
  /** The migrations folder. */
  readonly dir: string;
  readonly driver: DriverName;
  /** The history table; undefined for core's default. */
  readonly table: string | undefined;
  /** How long to wait for other processes using the database, and when a lock from another host is abandoned. */
  readonly lock: { readonly busyTimeoutMs?: number; readonly lockStaleMs?: number };
  /** The connection settings given; the driver's defaults apply to the others. */
  readonly connection: ConnectionOptions;
  /** Where `backup` writes without `--out`, and how many backups of this database it keeps there. */
  readonly backup: { readonly dir: string | undefined; readonly keep: number | undefined };
  /** How `new` numbers a migration (the config file's `versions`); undefined for a sequence. */
  readonly versions: VersionScheme | undefined;
  /** The config file that was read, if any. */
  readonly configFile: string | undefined;
  /** The token `--driver libsql` sends to a server (`STRATA_AUTH_TOKEN`). */
  readonly authToken?: string;
}

/**
 * The database file used without `--db` or a `db` setting: `app.db` in the per-user data folder of `strata`
 * (`$XDG_DATA_HOME/strata` or `~/.local/share/strata` on Linux, `~/Library/Application Support/strata` on macOS,
 * `%LOCALAPPDATA%\strata\Data` on Windows). It follows the process environment (env-paths reads `process.env`),
 * not an injected {@link Io}'s `env`.
 */
export async function defaultDatabaseFile(): Promise<string> {
  // Loaded only when needed: most runs name their database.
  const { default: envPaths } = await import('env-paths');
  return join(envPaths('strata', { suffix: '' }).data, 'app.db');
}

/**
 * The environment variable that stands in for `--db`, as `DATABASE_URL` does for other tools.
 *
 * @example
 * ```ts
 * await resolveSettings(global, { ...processIo(), env: { [ENV_DB]: 'data/app.db' } });
 * ```
 */
export const ENV_DB = 'STRATA_DB';
/**
 * The environment variable that stands in for `--dir`.
 *
 * @example
 * ```ts
 * await resolveSettings(global, { ...processIo(), env: { [ENV_DIR]: 'db/migrations' } });
 * ```
 */
export const ENV_DIR = 'STRATA_DIR';

/**
 * The absolute path an option or variable (`label`: `--db`, `STRATA_DB`, `backup --out`) names for a database file;
 * a name that cannot be one (empty, a folder, a device, a pipe, a socket) is a usage error.
 *
 * @example
 * ```ts
 * databaseOption('data/app.db', '/app', '--db'); // '/app/data/app.db'
 * ```
 */
export function databaseOption(db: string, cwd: string, label: string): string {
  // A server's URL (or a file: URL) names no file here; only the libsql driver takes one, which resolveSettings checks.
  if (isDatabaseUrl(db)) return db;
  try {
    return checkDatabaseFile(db === '' ? '' : resolve(cwd, db), label);
  } catch (error) {
    if (error instanceof StrataError) throw new UsageError(error.message);
    throw error;
  }
}

/** The `--db` (or `STRATA_DB`) of a driver that takes a server's URL, as written: it has no default. */
function serverUrl(db: string | undefined, driver: string): string {
  if (db === undefined || db === '')
    throw new UsageError(`--driver ${driver} needs --db with the server's URL, such as http://127.0.0.1:4001`);
  return db;
}

/**
 * Combines the command line, the environment and the config file that applies in `io.cwd` (see {@link findConfig}):
 * an option given on the command line wins, then `STRATA_DB` and `STRATA_DIR`, then the config file's setting, then
 * the default. Command-line and environment paths are relative to `io.cwd`, config paths to the config file's folder.
 *
 * @example
 * ```ts
 * const settings = await resolveSettings(invocation.global, processIo());
 * settings.databaseFile; // '/home/me/project/data/app.db'
 * ```
 */
export async function resolveSettings(global: GlobalOptions, io: Io): Promise<Settings> {
  const config = await findConfig(io.cwd);
  const path = (name: string | undefined) => (name === undefined ? undefined : resolve(io.cwd, name));
  // An empty variable counts as unset, as shells make it easy to leave one set to nothing.
  const env = (name: string) => (io.env[name] === '' ? undefined : io.env[name]);
  const envDb = env(ENV_DB);
  const driver = global.driver ?? config?.driver ?? 'better-sqlite3';
  const given = takesUrl(driver)
    ? serverUrl(global.db ?? envDb ?? config?.db, driver)
    : global.db !== undefined
      ? databaseOption(global.db, io.cwd, '--db')
      : envDb !== undefined
        ? databaseOption(envDb, io.cwd, ENV_DB)
        : config?.db;
  if (given !== undefined && isDatabaseUrl(given) && !SERVER_DRIVERS.some((name) => name === driver)) {
    throw new UsageError(
      `the database ${shownDatabase(given)} is a URL, which only --driver libsql or rqlite opens; give a file path, or pass --driver libsql or rqlite`,
    );
  }
  // libSQL's file: URL names a file here: as a path, it is sized, backed up and locked like any other.
  const local = given === undefined ? undefined : fileUrlPath(given, io.cwd);
  const db = local === undefined ? given : databaseOption(local, io.cwd, '--db');
  const connection = defined({
    foreignKeys: global.foreignKeys ?? config?.foreignKeys,
    journalMode: global.journalMode ?? config?.journalMode,
    synchronous: global.synchronous ?? config?.synchronous,
  });
  if (driver === 'sqljs' && (connection.journalMode !== undefined || connection.synchronous !== undefined)) {
    throw new UsageError(
      'the journal mode and synchronous settings are for better-sqlite3: sqljs holds the database in memory and writes its file whole, in rollback-journal mode; leave them out or use --driver better-sqlite3',
    );
  }
  return {
    cwd: io.cwd,
    databaseFile: db ?? (await defaultDatabaseFile()),
    dir: path(global.dir) ?? path(env(ENV_DIR)) ?? config?.dir ?? resolve(io.cwd, 'migrations'),
    driver,
    table: global.table ?? config?.table,
    lock: defined({
      busyTimeoutMs: global.busyTimeoutMs ?? config?.busyTimeoutMs,
      lockStaleMs: global.lockStaleMs ?? config?.lockStaleMs,
    }),
    connection,
    backup: { dir: config?.backup?.dir, keep: config?.backup?.keep },
    versions: config?.versions,
    configFile: config?.file,
    ...(env(ENV_AUTH_TOKEN) === undefined ? {} : { authToken: env(ENV_AUTH_TOKEN) }),
  };
}

/**
 * The environment variable holding the token `--driver libsql` sends to a server.
 *
 * @example
 * ```ts
 * await resolveSettings(global, { ...processIo(), env: { [ENV_AUTH_TOKEN]: 'eyJhbGciOi…' } });
 * ```
 */
export const ENV_AUTH_TOKEN = 'STRATA_AUTH_TOKEN';

export { isDatabaseUrl } from './database-url.js';

/** `value` without its undefined properties, for options types that leave them out rather than take undefined. */
function defined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}
