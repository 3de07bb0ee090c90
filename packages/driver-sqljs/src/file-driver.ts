import { dirname } from 'node:path';
import {
  type ExclusiveOptions,
  type HeldLock,
  type RestoreFromOptions,
  type Row,
  type SqlValue,
  StrataError,
} from '@strata/core';
import {
  assertReplaceable,
  createDatabaseFolder,
  databaseHolders,
  describeHolders,
  fileExclusive,
  removeLeftoverFiles,
  writeFileAtomically,
} from '@strata/core/node/files';
import { fileStorage } from './file-storage.js';
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
   * How long a migrate, rollback or save waits for another Strata process holding the file's lock, and for other
   * programs that have the file open to close it, before failing with `LOCK_TIMEOUT`. Default 30 000: the lock is
   * held for another process's whole run, not one transaction.
   */
  readonly busyTimeoutMs?: number;
  /**
   * How long a lock held from another host may go without a refresh before it counts as left by a dead process and
   * is taken over. Default 10 000, at least 2000. A holder on this host keeps its lock while its process runs.
   */
  readonly lockStaleMs?: number;
  /** Told once, after a second of waiting for the lock or for another program, what the wait is for. */
  readonly onWait?: (notice: string) => void;
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
 * saved. Every migrate, rollback and `persist()` therefore holds the file's lock (the one every Strata process takes,
 * whatever its driver), waits until no other program has the file open, starts from what the file holds now
 * (reloading it when another process saved it), and saves before releasing the lock. Reloading replaces
 * `driver.database`: read it from the driver, not once. A reload that would throw away changes this process made
 * and has not saved fails with `DATABASE_ERROR` instead. What sql.js cannot share safely is refused: see
 * {@link fileStorage}.
 */
export async function createSqlJsFileDriver<D extends SqlJsDatabase = SqlJsDatabase>(
  path: string,
  options: SqlJsFileOptions<D> = {},
): Promise<SqlJsFileDriver<D>> {
  const { sqlJs, data, foreignKeys, onWait } = options;
  const lockOptions = {
    timeoutMs: options.busyTimeoutMs ?? FILE_LOCK_DEFAULTS.busyTimeoutMs,
    staleMs: options.lockStaleMs ?? FILE_LOCK_DEFAULTS.lockStaleMs,
    ...(onWait === undefined ? {} : { onWait }),
  };
  const SQL = await loadSqlJs(sqlJs);
  // Created now, as the native driver does on opening; the file itself is written by the first save.
  createDatabaseFolder(path);
  const storage = fileStorage(path);
  // The database's write counters when it was last loaded or saved. No copy of the bytes is kept: at every start-up
  // that would double the memory a large database takes, and reading the file again to compare would cost as much
  // as loading it.
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
          const { held } = locked;
          if (held === undefined) throw new StrataError('DATABASE_ERROR', `${path} was about to be saved without its lock`);
          await held.verify();
          await storage.save(next);
          savedState = await writeState(current);
        },
      },
    });
    savedState = await writeState(driver);
    return driver;
  };
  let current = await load();

  // Brings the database up to what the file holds. Runs under the lock, so no Strata process changes it meanwhile.
  const refresh = async (): Promise<void> => {
    if (!(await storage.changed())) return;
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

  const locked = fileExclusive(path, lockOptions, {
    // Calls inside work through it save without taking the lock again.
    // Another program that has the file open makes the run wait (busy, below): under the lock, only it writes.
    inside: { persist: () => current.persist(), soleWriter: true },
    // Programs that are not Strata (or Strata with the native driver, between its runs) take SQLite's locks, which
    // sql.js cannot see; while one has the file open, the run waits, as it waits for Strata's lock.
    busy: () => {
      const holders = databaseHolders(storage.target);
      return holders.length === 0 ? undefined : `${describeHolders(holders)} has ${path} open`;
    },
    busyTimeout: (busy, waitedMs) =>
      new StrataError(
        'LOCK_TIMEOUT',
        `waited ${waitedMs} ms, but ${busy}: sql.js cannot take SQLite’s locks, so it does not write a database ` +
          'another program has open. Stop that program (or close its connection), or use the better-sqlite3 driver; ' +
          'raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer',
        { file: path },
      ),
    enter: async () => {
      // What a process killed while it saved left behind; only the process holding the lock writes here.
      await removeLeftoverFiles(dirname(storage.target));
      await refresh().catch((error: unknown) => Promise.reject(reloadError(path, error)));
    },
  });
  const exclusive = async <T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T> => {
    if (closed) throw new StrataError('DATABASE_ERROR', `the sql.js database ${path} is closed`);
    // Refused before the work rather than after it, which would only be thrown away.
    if (locked.held === undefined) await assertReplaceable(path);
    return locked.run(work, options);
  };

  return {
    name: 'sqljs',
    file: path,
    get database() {
      return current.database;
    },
    // sql.js keeps the event loop busy for as long as a statement runs, so the lock is refreshed between statements.
    exec: (sql) => {
      locked.held?.keepAlive();
      return current.exec(sql);
    },
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => {
      locked.held?.keepAlive();
      return current.query<R>(sql, params);
    },
    run: (sql, params) => {
      locked.held?.keepAlive();
      return current.run(sql, params);
    },
    inTransaction: () => current.inTransaction(),
    serialize: () => exportOf(current),
    changes: () => current.changes(),
    exclusive,
    persist: () => exclusive(() => current.persist(), { nested: false }),
    restoreFrom: (source: string, restoreOptions: RestoreFromOptions = {}) =>
      exclusive(
        async () => {
          // Read with the same refusals as the database itself: a backup in WAL mode would lose what its -wal holds.
          const read = await fileStorage(source).read();
          if (read === undefined) throw new StrataError('DATABASE_ERROR', `${source} does not exist`, { file: source });
          if (restoreOptions.keep !== undefined) await writeFileAtomically(restoreOptions.keep, await exportOf(current));
          const { held } = locked;
          if (held === undefined) throw new StrataError('DATABASE_ERROR', `${path} was about to be restored without its lock`);
          await held.verify();
          await storage.save(read.bytes);
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
