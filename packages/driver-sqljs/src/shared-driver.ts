// The one way a sql.js database kept in storage is shared between processes (a file) or tabs (IndexedDB): take the
// lock, reload if the stored copy changed, do the work, save if it changed, release.
import { type ExclusiveOptions, type HeldLock, type Row, type SqlValue, StrataError } from '@strata/core';
import { sameBytes } from './bytes.js';
import { createSqlJsDriver, type SqlJsDriver, type SqlJsDriverOptions } from './index.js';
import type { SharedStore } from './shared-store.js';
import { loadSqlJs, type SqlJsDatabase } from './sqljs.js';

/**
 * Options of a shared sql.js driver: those of {@link createSqlJsDriver} but `storage`, which the store gives.
 *
 * @example
 * ```ts
 * const options: SharedSqlJsOptions = { sqlJs: SQL, foreignKeys: true };
 * ```
 */
export type SharedSqlJsOptions<D extends SqlJsDatabase = SqlJsDatabase> = Omit<SqlJsDriverOptions<D>, 'storage'>;

/**
 * A sql.js driver whose database is kept in storage that other processes or tabs save too. Every `exclusive()` and
 * `persist()` holds the store's lock, starts from what is stored (reloading it when another saved it since), and
 * saves before letting go. A reload replaces `database`: read it from the driver each time.
 *
 * @example
 * ```ts
 * await new MigrationManager({ driver, migrations }).migrate(); // runs under driver.exclusive()
 * ```
 */
export interface SqlJsSharedDriver<D extends SqlJsDatabase = SqlJsDatabase> extends SqlJsDriver<D> {
  /**
   * Runs `work` holding the store's lock, after reloading the database if another process or tab saved it since this
   * driver loaded or saved it. `lock.persist()` saves inside `work` under the same lock; see `Driver.exclusive`.
   */
  exclusive<T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T>;
  /** The whole database as the bytes of a SQLite file. */
  serialize(): Promise<Uint8Array>;
}

/**
 * A {@link SqlJsSharedDriver}, with what only the code that opened it may do.
 *
 * @example
 * ```ts
 * const { driver, discard } = await openSharedDriver(store, { sqlJs: SQL });
 * ```
 */
export interface SharedDriver<D extends SqlJsDatabase = SqlJsDatabase> {
  readonly driver: SqlJsSharedDriver<D>;
  /** Inside `driver.exclusive()`: stores `bytes` as the whole database, and reloads it. */
  replace(bytes: Uint8Array): Promise<void>;
  /** Drops what this copy changed without saving: the next `exclusive()` starts again from what is stored. */
  discard(): void;
}

/**
 * Opens a shared sql.js driver on `store`, loading what it holds now (outside its lock: the first `exclusive()`
 * reloads it if another saved meanwhile).
 *
 * A reload that would throw away changes this copy made and has not saved fails with `DATABASE_ERROR` instead, and a
 * save refuses to run without the lock, or once it was lost.
 *
 * @example
 * ```ts
 * const { driver } = await openSharedDriver(fileStore('data/app.db', { timeoutMs: 30_000, staleMs: 10_000 }));
 * ```
 */
export async function openSharedDriver<D extends SqlJsDatabase = SqlJsDatabase>(
  store: SharedStore,
  options: SharedSqlJsOptions<D> = {},
): Promise<SharedDriver<D>> {
  const { name, holder, storage } = store;
  const { data, foreignKeys } = options;
  const SQL = await loadSqlJs(options.sqlJs);
  // The database's write counters when it was last loaded or saved. No copy of the bytes is kept: at every start-up
  // that would double the memory a large database takes.
  let savedState = '';
  let stale = false;
  let closed = false;

  const verifyHeld = async (action: string): Promise<void> => {
    const { held } = lock;
    if (held === undefined) throw new StrataError('DATABASE_ERROR', `${name} was about to be ${action} without its lock`);
    // A lock lost meanwhile must not let this copy overwrite another's.
    await held.verify();
  };

  const load = async (): Promise<SqlJsDriver<D>> => {
    const bytes = await storage.load();
    const driver = await createSqlJsDriver<D>({
      sqlJs: SQL,
      ...(data === undefined ? {} : { data }),
      ...(foreignKeys === undefined ? {} : { foreignKeys }),
      storage: {
        load: async () => bytes,
        holds: (next) => (storage.holds === undefined ? holdsByLoading(next) : storage.holds(next)),
        save: async (next) => {
          await verifyHeld('saved');
          await storage.save(next);
          savedState = await writeState(current);
        },
      },
    });
    savedState = await writeState(driver);
    stale = false;
    return driver;
  };
  const holdsByLoading = async (bytes: Uint8Array): Promise<boolean> => sameBytes(await storage.load(), bytes);
  let current = await load();

  const replaceCurrent = async (): Promise<void> => {
    const next = await load();
    await current.close();
    current = next;
  };

  // Brings the database up to what is stored. Runs under the lock, so no one else saves meanwhile.
  const refresh = async (): Promise<void> => {
    if (!stale && !(await storage.changed())) return;
    if (!stale && (await writeState(current)) !== savedState) {
      throw new StrataError(
        'DATABASE_ERROR',
        `${name} was saved by another ${holder} since this one loaded it, and this ${holder} has changed the database ` +
          `without saving; saving now would overwrite the other ${holder}, and reloading would lose these changes. ` +
          'Close the driver and open the database again',
      );
    }
    await replaceCurrent();
  };

  const lock = store.lock({
    // Calls inside work through it save without taking the lock again. Only this copy is saved under the lock: a
    // store whose database other programs may write waits for them to let go (see fileStore).
    inside: { persist: () => current.persist(), soleWriter: true },
    enter: () => refresh().catch((error: unknown) => Promise.reject(reloadError(name, holder, error))),
  });
  const ready = async (): Promise<void> => {
    if (closed) throw new StrataError('DATABASE_ERROR', `the sql.js database ${name} is closed`);
    // Refused before the work rather than after it, which would only be thrown away.
    if (lock.held === undefined) await store.beforeLock?.();
  };

  const driver: SqlJsSharedDriver<D> = {
    name: 'sqljs',
    get database() {
      return current.database;
    },
    // sql.js keeps the event loop busy for as long as a statement runs, so the lock is refreshed between statements.
    exec: (sql) => {
      lock.held?.keepAlive();
      return current.exec(sql);
    },
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => {
      lock.held?.keepAlive();
      return current.query<R>(sql, params);
    },
    run: (sql, params) => {
      lock.held?.keepAlive();
      return current.run(sql, params);
    },
    compile: (sql) => current.compile(sql),
    inTransaction: () => current.inTransaction(),
    scratch: () => current.scratch(),
    serialize: () => exportOf(current),
    changes: () => current.changes(),
    async exclusive(work, exclusiveOptions) {
      await ready();
      return lock.run(work, exclusiveOptions);
    },
    async persist() {
      await ready();
      await lock.save(() => current.persist());
    },
    async close() {
      if (closed) return;
      closed = true;
      await current.close();
    },
  };
  return {
    driver,
    async replace(bytes) {
      await verifyHeld('replaced');
      await storage.save(bytes);
      await replaceCurrent();
    },
    discard() {
      stale = true;
    },
  };
}

function reloadError(name: string, holder: string, error: unknown): StrataError {
  if (error instanceof StrataError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new StrataError('DATABASE_ERROR', `could not reload ${name}, which another ${holder} saved: ${message}`, {
    cause: error,
  });
}

// createSqlJsDriver always has serialize(); the Driver interface declares it optional, for drivers over files.
function exportOf(driver: SqlJsDriver<SqlJsDatabase>): Promise<Uint8Array> {
  return (driver as Required<Pick<SqlJsDriver, 'serialize'>>).serialize();
}

/**
 * SQLite's own counters of what this connection wrote: rows ({@link SqlJsDriver.changes}, which counts the rows
 * triggers change too), the schema cookie (every CREATE, ALTER and DROP), the header's user_version and
 * application_id, and the page and free-page counts (VACUUM). Equal before and after means nothing was written in
 * between, short of statements that only rewrite pages in place, such as REINDEX and ANALYZE on an existing
 * statistics table.
 */
async function writeState(driver: SqlJsDriver<SqlJsDatabase>): Promise<string> {
  const [row] = await driver.query(
    'SELECT s.schema_version, u.user_version, a.application_id, p.page_count, f.freelist_count ' +
      'FROM pragma_schema_version AS s, pragma_user_version AS u, pragma_application_id AS a, pragma_page_count AS p, ' +
      'pragma_freelist_count AS f',
  );
  return JSON.stringify({ changes: driver.changes(), ...row });
}
