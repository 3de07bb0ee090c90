import {
  type ConnectionSettings,
  DEFAULT_SETTINGS,
  type Driver,
  type DriverFactory,
  LOCK_DEFAULTS,
  type Row,
  type SqlValue,
} from '@strata/core';
import {
  acquireFileLock,
  createDatabaseFolder,
  type FileLockOptions,
  fileExclusive,
  isWalDatabase,
} from '@strata/core/node/files';
import Database from 'better-sqlite3';
import { lockTimeoutOf } from './busy.js';
import type { BetterSqlite3Database, BetterSqlite3Statement } from './connection.js';
import { createReaderPool } from './readers.js';

export type { BetterSqlite3Database, BetterSqlite3Statement } from './connection.js';
export { createReaderPool, type ReaderPoolOptions } from './readers.js';

/**
 * Connection settings the driver can apply; see {@link createBetterSqlite3Driver} for the defaults.
 *
 * @example
 * ```ts
 * createBetterSqlite3Driver({ filename: 'app.db', journalMode: 'delete', busyTimeoutMs: 10_000 });
 * ```
 */
export type BetterSqlite3Pragmas = ConnectionSettings;

/**
 * How the driver takes Strata's lock of the file (see `acquireFileLock` in `@strata/core/node`): what every Strata
 * process writing a database takes around a migrate, rollback or restore, whatever its driver, so that a native run
 * and a sql.js run never overlap. `busyTimeoutMs` is how long to wait for it.
 *
 * @example
 * ```ts
 * createBetterSqlite3Driver({ filename: 'app.db', lockStaleMs: 30_000, onWait: (notice) => console.error(notice) });
 * ```
 */
export interface StrataLockOptions {
  /** How long a lock held from another host may go unrefreshed before it counts as abandoned. Default 10 000. */
  readonly lockStaleMs?: number;
  /** Told once, after a second of waiting for the lock, what the wait is for. */
  readonly onWait?: (notice: string) => void;
}

/**
 * Opens a database file (or `':memory:'`) with Strata's defaults.
 *
 * @example
 * ```ts
 * createBetterSqlite3Driver({ filename: 'data/app.db', readonly: true });
 * ```
 */
export interface BetterSqlite3FileOptions extends BetterSqlite3Pragmas, StrataLockOptions {
  /** Path of the database file; a missing folder is created, unless the file is opened read-only. */
  readonly filename: string;
  readonly readonly?: boolean;
}

/**
 * Uses a connection the application opened; only the settings given here are changed.
 *
 * @example
 * ```ts
 * createBetterSqlite3Driver({ database: new Database('app.db'), foreignKeys: true });
 * ```
 */
export interface BetterSqlite3ConnectionOptions extends BetterSqlite3Pragmas, StrataLockOptions {
  readonly database: BetterSqlite3Database;
  /** Close `database` when the driver is closed. Default `false`: whoever opened it closes it. */
  readonly closeDatabase?: boolean;
}

/**
 * Options of {@link createBetterSqlite3Driver}: a file to open, or an open connection.
 *
 * @example
 * ```ts
 * const options: BetterSqlite3DriverOptions = process.env.DB ? { filename: process.env.DB } : { database };
 * ```
 */
export type BetterSqlite3DriverOptions = BetterSqlite3FileOptions | BetterSqlite3ConnectionOptions;

/**
 * A Strata {@link Driver} over one better-sqlite3 connection, which the application may use as well.
 *
 * @example
 * ```ts
 * const driver: BetterSqlite3Driver = createBetterSqlite3Driver({ filename: 'app.db' });
 * const count = driver.database.prepare('SELECT count(*) FROM users').pluck().get();
 * ```
 */
export interface BetterSqlite3Driver extends Driver {
  readonly name: 'better-sqlite3';
  /** The connection Strata migrates, for the application's own queries. */
  readonly database: BetterSqlite3Database;
  /** Prepares `sql` (one statement) and discards it: better-sqlite3 refuses a string of several statements. */
  compile(sql: string): Promise<void>;
  /** An empty database in memory, with Strata's defaults (foreign keys on). */
  scratch(): Promise<BetterSqlite3Driver>;
}

/**
 * Creates a Strata driver over better-sqlite3.
 *
 * Given a `filename`, it opens the file and sets `busy_timeout` 5000, `foreign_keys` on, and, unless the database is
 * in memory or read-only, `journal_mode` WAL with `synchronous` NORMAL; `close()` closes the file. Given a `database`,
 * it changes only the settings passed in options (the application configured that connection deliberately) and
 * leaves it open on `close()` unless `closeDatabase` is set.
 *
 * Integers come back as numbers, so values beyond 2^53 lose precision; bigint parameters are bound exactly.
 * `restoreFrom(file)` copies a backup into the database through SQLite's backup API, which takes SQLite's locks, so
 * every connection that stays open reads the restored content.
 *
 * @example
 * ```ts
 * const driver = createBetterSqlite3Driver({ filename: 'app.db' });
 * await new MigrationManager({ driver, ... }).migrate();
 * driver.database.prepare('SELECT * FROM users').all();
 * ```
 */
export function createBetterSqlite3Driver(options: BetterSqlite3DriverOptions): BetterSqlite3Driver {
  const opened = 'filename' in options;
  if (opened && options.readonly !== true) createDatabaseFolder(options.filename);
  const db: BetterSqlite3Database = opened
    ? new Database(options.filename, {
        readonly: options.readonly ?? false,
        timeout: options.busyTimeoutMs ?? DEFAULT_SETTINGS.busyTimeoutMs,
      })
    : options.database;
  const ownsDatabase = opened || options.closeDatabase === true;
  const prepare = statementCache(db);
  try {
    configure(db, options, opened);
  } catch (error) {
    if (opened) db.close();
    throw error;
  }
  // SQLite's busy timeout, as the connection has it: an application's connection may have its own.
  const busyTimeoutMs = Number(db.pragma('busy_timeout', { simple: true }));
  const file = db.memory || db.readonly ? undefined : db.name;
  // SQLite answers BUSY once its busy timeout has run out: another connection kept its lock for that long.
  const sqlite = <T>(work: () => T): T => {
    // A statement keeps the event loop busy, so the lock's timer cannot refresh it meanwhile: between statements.
    locked?.held?.keepAlive();
    try {
      return work();
    } catch (error) {
      throw lockTimeoutOf(error, db.name, busyTimeoutMs) ?? error;
    }
  };
  const locked = file === undefined ? undefined : fileExclusive(file, lockOptionsOf(options, busyTimeoutMs), { inside: NO_SAVE });

  return {
    name: 'better-sqlite3',
    database: db,
    async exec(sql) {
      sqlite(() => db.exec(sql));
    },
    async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) {
      return sqlite(() => {
        const statement = prepare(sql);
        if (statement.reader) return statement.all(...params) as R[];
        statement.run(...params);
        return [];
      });
    },
    async run(sql, params = []) {
      return sqlite(() => ({ changes: prepare(sql).run(...params).changes }));
    },
    async compile(sql) {
      // Not through the statement cache: a statement only compiled is not worth keeping.
      sqlite(() => db.prepare(sql));
    },
    inTransaction: () => db.inTransaction,
    scratch: async () => createBetterSqlite3Driver({ filename: ':memory:' }),
    ...(locked === undefined ? {} : { exclusive: locked.run }),
    async restoreFrom(file, restoreOptions) {
      // Loaded when needed: most processes never restore.
      const { restoreInto } = await import('./restore.js');
      const restore = () => restoreInto(db, file, restoreOptions);
      // Under Strata's lock too, so that a sql.js run on the same file never overlaps it.
      await (locked === undefined ? restore() : locked.run(restore, { nested: false }));
    },
    async close() {
      if (ownsDatabase && db.open) db.close();
    },
  };
}

// SQLite writes through to the file: there is nothing to save.
const NO_SAVE = { persist: async () => {} };

function lockOptionsOf(options: StrataLockOptions, busyTimeoutMs: number): FileLockOptions {
  return {
    timeoutMs: busyTimeoutMs,
    staleMs: options.lockStaleMs ?? LOCK_DEFAULTS.staleMs,
    ...(options.onWait === undefined ? {} : { onWait: options.onWait }),
  };
}

/**
 * Runs `work` again while it fails with SQLITE_BUSY, for up to `timeoutMs`. Switching a new file to WAL needs an
 * exclusive lock, and SQLite answers BUSY at once, without its busy handler, when another process opening the same
 * new file holds a lock: several processes starting together on a fresh database would otherwise fail at random.
 */
function whileBusy<T>(work: () => T, timeoutMs: number): T {
  const deadline = Date.now() + timeoutMs;
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      return work();
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (code !== 'SQLITE_BUSY' || Date.now() >= deadline) throw error;
      // A synchronous pause: opening a connection is synchronous in better-sqlite3.
      Atomics.wait(pause, 0, 0, 5 + Math.floor(Math.random() * 10));
    }
  }
}

const CACHED_STATEMENTS = 32;

/**
 * `db.prepare`, remembering the last few statements: the history table is read and written with the same few
 * statements once per migration, and preparing one costs more than running it. SQLite re-prepares a cached statement
 * by itself when the schema changes under it.
 */
function statementCache(db: BetterSqlite3Database): (sql: string) => BetterSqlite3Statement {
  const cache = new Map<string, BetterSqlite3Statement>();
  return (sql) => {
    let statement = cache.get(sql);
    if (statement === undefined) {
      statement = db.prepare(sql);
      if (cache.size >= CACHED_STATEMENTS) cache.delete(cache.keys().next().value as string);
      cache.set(sql, statement);
    }
    return statement;
  };
}

function configure(db: BetterSqlite3Database, options: BetterSqlite3Pragmas, opened: boolean): void {
  if (!opened && options.busyTimeoutMs !== undefined) db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
  // Switching to WAL writes the file header, which a read-only connection cannot do.
  const journalMode = options.journalMode ?? (opened && !db.memory && !db.readonly ? DEFAULT_SETTINGS.journalMode : undefined);
  if (journalMode !== undefined)
    whileBusy(() => db.pragma(`journal_mode = ${journalMode}`), options.busyTimeoutMs ?? DEFAULT_SETTINGS.busyTimeoutMs);
  // NORMAL is safe in WAL (a power loss may drop the last commits but cannot corrupt) and much faster than FULL.
  const synchronous = options.synchronous ?? (opened && journalMode === 'wal' ? DEFAULT_SETTINGS.synchronous : undefined);
  if (synchronous !== undefined) db.pragma(`synchronous = ${synchronous}`);
  const foreignKeys = options.foreignKeys ?? (opened ? DEFAULT_SETTINGS.foreignKeys : undefined);
  if (foreignKeys !== undefined) db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
}

/**
 * Opens better-sqlite3 drivers on files, for `DatabaseManager`, the CLI and backup checks, and read-only connections
 * in worker threads ({@link createReaderPool}) for an application's parallel reads.
 *
 * @example
 * ```ts
 * const db = await DatabaseManager.open({ appName: 'case-crafter', driver: betterSqlite3, migrations: 'migrations' });
 * ```
 */
export const betterSqlite3: DriverFactory<BetterSqlite3Driver> = {
  name: 'better-sqlite3',
  open: async (file, options = {}) => {
    // Opening may write the file's header (the switch to WAL), and a sql.js run holding Strata's lock would then
    // refuse to save: wait for it. A file already in WAL mode is one sql.js does not write.
    if (options.readonly === true || isWalDatabase(file)) return createBetterSqlite3Driver({ ...options, filename: file });
    // The lock is a folder beside the file: the file's own folder must exist first.
    createDatabaseFolder(file);
    const lock = await acquireFileLock(file, lockOptionsOf(options, options.busyTimeoutMs ?? DEFAULT_SETTINGS.busyTimeoutMs));
    try {
      return createBetterSqlite3Driver({ ...options, filename: file });
    } finally {
      await lock.release();
    }
  },
  createReaderPool: (file, size) => createReaderPool(file, size),
  thread: { module: import.meta.url, export: 'betterSqlite3' },
};
