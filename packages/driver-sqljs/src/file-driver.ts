import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import {
  type ExclusiveOptions,
  type HeldLock,
  type RestoreFromOptions,
  type Row,
  type SqlValue,
  StrataError,
} from '@strata/core';
import { writeFileAtomically } from '@strata/core/node';
import { acquireFileLock, type FileLock } from './file-lock.js';
import { type FileIdentity, fileStorage } from './file-storage.js';
import { createSqlJsDriver, type SqlJsDriver, type SqlJsDriverOptions } from './index.js';
import { loadSqlJs, type SqlJsDatabase } from './sqljs.js';

/**
 * Options of `openSqlJsFile`: those of {@link createSqlJsDriver} but `storage`, which is the file, and the lock that
 * keeps processes sharing the file apart.
 *
 * @example
 * ```ts
 * const options: SqlJsFileOptions = { busyTimeoutMs: 60_000, lockStaleMs: 20_000 };
 * ```
 */
export interface SqlJsFileOptions<D extends SqlJsDatabase = SqlJsDatabase> extends Omit<SqlJsDriverOptions<D>, 'storage'> {
  /**
   * How long a migrate, rollback or save waits for another process holding the file's lock, before failing with
   * `LOCK_TIMEOUT`. Default 30 000: the lock is held for another process's whole run, not one transaction.
   */
  readonly busyTimeoutMs?: number;
  /**
   * How long a lock may go without its holder refreshing it before it counts as left by a dead process and is taken
   * over. Default 10 000, at least 2000. A run that keeps sql.js computing for longer than this without a pause may
   * lose its lock, and then fails without saving; raise it for migrations that long.
   */
  readonly lockStaleMs?: number;
}

/**
 * A sql.js driver on a file shared with other processes; see `openSqlJsFile`.
 *
 * @example
 * ```ts
 * const driver: SqlJsFileDriver = await openSqlJsFile('data/app.db');
 * ```
 */
export interface SqlJsFileDriver<D extends SqlJsDatabase = SqlJsDatabase> extends SqlJsDriver<D> {
  /** The database file. */
  readonly file: string;
  /**
   * Runs `work` holding the file's lock (`<file>.lock`), after reloading the database if another process saved the
   * file since this driver loaded or saved it. `lock.persist()`, and unless `options.nested` is `false` the
   * driver's own `persist()`, save inside `work` under the same lock.
   */
  exclusive<T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T>;
}

// The defaults of SqlJsFileOptions.
const FILE_LOCK_DEFAULTS = { busyTimeoutMs: 30_000, lockStaleMs: 10_000 } as const;

/**
 * Opens a sql.js database kept in `path`, which several processes may migrate and save at once.
 *
 * Each process holds its own copy in memory, so two of them saving in turn would each overwrite what the other
 * saved. Every migrate, rollback and `persist()` therefore holds the file's lock, starts from what the file holds now
 * (reloading it when another process saved it), and saves before releasing the lock. Reloading replaces
 * `driver.database`: read it from the driver, not once. A reload that would throw away changes this process made
 * and has not saved fails with `DATABASE_ERROR` instead.
 */
export async function createSqlJsFileDriver<D extends SqlJsDatabase = SqlJsDatabase>(
  path: string,
  options: SqlJsFileOptions<D> = {},
): Promise<SqlJsFileDriver<D>> {
  const { sqlJs, data, foreignKeys } = options;
  const lockOptions = {
    timeoutMs: options.busyTimeoutMs ?? FILE_LOCK_DEFAULTS.busyTimeoutMs,
    staleMs: options.lockStaleMs ?? FILE_LOCK_DEFAULTS.lockStaleMs,
  };
  const SQL = await loadSqlJs(sqlJs);
  const storage = fileStorage(path);
  // The exclusive() call the running code is inside, so that a nested call does not wait for itself. A callback
  // scheduled inside one keeps it as its context after it ended, hence the flag.
  const holding = new AsyncLocalStorage<{ active: boolean }>();
  let held: FileLock | undefined;
  // Which version of the file the database was last loaded from or saved to (undefined: there was no file), and
  // the database's write counters then. No copy of the bytes is kept: at every start-up that would double the memory
  // a large database takes, and reading the file again to compare would cost as much as loading it.
  let known: FileIdentity | undefined;
  let savedState = '';
  let closed = false;

  const load = async (): Promise<SqlJsDriver<D>> => {
    const read = await storage.read();
    const driver = await createSqlJsDriver<D>({
      sqlJs: SQL,
      ...(data === undefined ? {} : { data }),
      ...(foreignKeys === undefined ? {} : { foreignKeys }),
      storage: {
        load: async () => read?.bytes,
        holds: (bytes) => storage.holds(bytes),
        save: async (next) => {
          // Every save runs inside exclusive(); a lock lost meanwhile must not let this copy overwrite another's.
          if (held === undefined) throw new StrataError('DATABASE_ERROR', `${path} was about to be saved without its lock`);
          await held.verify();
          await storage.save(next);
          known = await storage.identity();
          savedState = await writeState(current);
        },
      },
    });
    known = read?.identity;
    savedState = await writeState(driver);
    return driver;
  };
  let current = await load();

  // Brings the database up to what the file holds. Runs under the lock, so the file cannot change meanwhile.
  const refresh = async (): Promise<void> => {
    if ((await storage.identity()) === known) return;
    if ((await writeState(current)) !== savedState) {
      throw new StrataError(
        'DATABASE_ERROR',
        `${path} was saved by another process since this one loaded it, and this process has changed the database ` +
          'without saving; saving now would overwrite the other process, and reloading would lose these changes. ' +
          'Close the driver and open the file again',
      );
    }
    const next = await load();
    await current.close();
    current = next;
  };

  // Calls inside work through it save without taking the lock again.
  const inside: HeldLock = { persist: () => current.persist() };

  const exclusive = async <T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T> => {
    if (holding.getStore()?.active === true) return work(inside);
    if (closed) throw new StrataError('DATABASE_ERROR', `the sql.js database ${path} is closed`);
    const lock = await acquireFileLock(path, lockOptions);
    held = lock;
    const call = { active: true };
    try {
      await refresh().catch((error: unknown) => Promise.reject(reloadError(path, error)));
      // Only work that may call the driver itself runs in the AsyncLocalStorage: once one runs, Node calls its hooks
      // for every promise made, which costs a run of a thousand migrations a tenth of its time.
      const result = options?.nested === false ? await work(inside) : await holding.run(call, () => work(inside));
      // Also fails a run that saved nothing but lost its lock, since what it read may have been changed meanwhile.
      await lock.verify();
      return result;
    } finally {
      call.active = false;
      held = undefined;
      await lock.release();
    }
  };

  return {
    name: 'sqljs',
    file: path,
    get database() {
      return current.database;
    },
    exec: (sql) => current.exec(sql),
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => current.query<R>(sql, params),
    run: (sql, params) => current.run(sql, params),
    inTransaction: () => current.inTransaction(),
    serialize: () => exportOf(current),
    changes: () => current.changes(),
    exclusive,
    persist: () => exclusive(() => current.persist(), { nested: false }),
    // Under the lock: the backup's bytes become the database, as a reload makes them, and are saved even when the file
    // already holds them. The replaced database is kept first, as the lock found it.
    restoreFrom: (source: string, restoreOptions: RestoreFromOptions = {}) =>
      exclusive(
        async () => {
          const bytes = await readWholeDatabase(source);
          if (restoreOptions.keep !== undefined) await writeFileAtomically(restoreOptions.keep, await exportOf(current));
          if (held === undefined) throw new StrataError('DATABASE_ERROR', `${path} was about to be restored without its lock`);
          await held.verify();
          await storage.save(bytes);
          const next = await load();
          await current.close();
          current = next;
        },
        { nested: false },
      ),
    async close() {
      if (closed) return;
      closed = true;
      await current.close();
    },
  };
}

/**
 * The bytes of the database `file`, refused when it is in WAL mode: sql.js reads the main file alone, so the commits
 * its `-wal` holds would be left out.
 */
async function readWholeDatabase(file: string): Promise<Uint8Array> {
  const bytes = await readFile(file);
  const hasLog = existsSync(`${file}-wal`);
  // Bytes 18 and 19 of the header, the file format versions, are 2 in WAL mode.
  if (hasLog || (bytes[18] === 2 && bytes[19] === 2)) {
    throw new StrataError(
      'DATABASE_ERROR',
      `${file} is a WAL-mode database${hasLog ? ' with a -wal file beside it' : ''}: the sql.js driver reads the main ` +
        'file alone and would leave out the commits its -wal holds. Restore it with the better-sqlite3 driver, or ' +
        'restore a copy SQLite made of it (VACUUM INTO, or migrate backup --driver better-sqlite3)',
      { file },
    );
  }
  return bytes;
}

function reloadError(path: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('DATABASE_ERROR', `could not reload ${path}, which another process saved: ${message}`, { cause: error });
}

// createSqlJsDriver always has serialize(); the Driver interface declares it optional, for drivers over files.
function exportOf(driver: SqlJsDriver<SqlJsDatabase>): Promise<Uint8Array> {
  return (driver as Required<Pick<SqlJsDriver, 'serialize'>>).serialize();
}

/**
 * SQLite's own counters of what this connection wrote: rows ({@link SqlJsDriver.changes}, which counts the rows
 * triggers change too), the schema cookie (every CREATE, ALTER and DROP), the header's user_version and application_id, and the page
 * and free-page counts (VACUUM). Equal before and after means nothing was written in between, short of statements
 * that only rewrite pages in place, such as REINDEX and ANALYZE on an existing statistics table.
 */
async function writeState(driver: SqlJsDriver<SqlJsDatabase>): Promise<string> {
  const [row] = await driver.query(
    'SELECT s.schema_version, u.user_version, a.application_id, p.page_count, f.freelist_count ' +
      'FROM pragma_schema_version AS s, pragma_user_version AS u, pragma_application_id AS a, pragma_page_count AS p, ' +
      'pragma_freelist_count AS f',
  );
  return JSON.stringify({ changes: driver.changes(), ...row });
}
