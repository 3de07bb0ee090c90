import {
  type DatabaseStats,
  type Driver,
  type MigrateOptions,
  type MigrationFiles,
  MigrationManager,
  type MigrationSet,
  type RollbackOptions,
  type RollbackTarget,
  type Row,
  type RunEvent,
  type RunReport,
  type SqlValue,
  type StatusReport,
  StrataError,
} from '@strata/core';
import { createSqlJsDriver, type SqlJsDriver, type SqlJsStorage } from './index.js';
import { indexedDbStorage } from './indexeddb.js';
import type { SqlJsStatic } from './sqljs.js';
import { defaultLocks, type WebLocks } from './web-locks.js';

/**
 * Options of {@link openBrowserDatabase}.
 *
 * @example
 * ```ts
 * const options: BrowserDatabaseOptions = { name: 'case-crafter', sqlJs: () => initSqlJs({ locateFile: () => wasmUrl }), migrations: files };
 * ```
 */
export interface BrowserDatabaseOptions {
  /** Names the database: the key it is stored under by default, and the Web Lock `strata:<name>` that guards it. */
  readonly name: string;
  /** An initialised sql.js module, or a function that loads one (called once). */
  readonly sqlJs: SqlJsStatic | (() => Promise<SqlJsStatic>);
  /** The migrations: a bundler's map of files (`import.meta.glob`) or a loaded set. */
  readonly migrations: MigrationSet | MigrationFiles;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Called as each migration starts and finishes, for progress displays. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Where the database is kept. Default `indexedDbStorage({ key: name })`. */
  readonly storage?: SqlJsStorage;
  /** The lock that keeps tabs apart. Default `navigator.locks`; without it, opening fails. */
  readonly locks?: WebLocks;
  /** Enforce foreign keys; default `true`. */
  readonly foreignKeys?: boolean;
}

/**
 * A sql.js database kept in browser storage and shared safely between tabs: every operation holds the database's
 * Web Lock, starts from what is stored (another tab may have migrated it), and saves what it changed before
 * releasing the lock.
 *
 * @example
 * ```ts
 * const db = await openBrowserDatabase({ name: 'case-crafter', sqlJs: SQL, migrations: files });
 * await db.migrate();
 * const count = await db.run(async (_manager, driver) => (await driver.query('SELECT count(*) AS n FROM users'))[0]?.n);
 * ```
 */
export interface BrowserDatabase {
  /** The name given to {@link openBrowserDatabase}. */
  readonly name: string;
  /** The Web Lock held around every operation: `strata:<name>`. */
  readonly lockName: string;
  /**
   * Runs `fn` holding the lock, on the stored database: reloads it first when another tab saved it since this tab
   * last loaded or saved it, and saves it afterwards when `fn` changed it. When `fn` throws, nothing more is saved, and
   * the next operation starts again from the stored database. Use `manager` and `driver` only inside `fn`.
   */
  run<T>(fn: (manager: MigrationManager, driver: SqlJsDriver) => Promise<T>): Promise<T>;
  /** Applies pending migrations; see {@link MigrationManager.migrate}. */
  migrate(options?: MigrateOptions): Promise<RunReport>;
  /** Rolls back one version, the last `steps`, or everything after `to`; see {@link MigrationManager.rollback}. */
  rollback(target: RollbackTarget, options?: RollbackOptions): Promise<RunReport>;
  /** Applied and pending migrations, and problems, of the stored database. */
  status(): Promise<StatusReport>;
  /** Table row counts, size, checks and one health verdict, of the stored database. */
  stats(): Promise<DatabaseStats>;
  /** Waits for this tab's operations to finish, then closes the in-memory database. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens a sql.js database that lives in browser storage (IndexedDB by default) and is migrated by Strata, for an app
 * that runs SQLite in a web page. Opening reads the stored database once, under the lock, so a storage that cannot
 * be read fails here; it applies nothing until {@link BrowserDatabase.migrate}.
 *
 * A save happens only after an operation, in one storage write, so a page closed during a migration leaves the
 * stored database as it was before that run. Each operation holds the Web Lock `strata:<name>` from the reload to the
 * save, so two tabs never both apply a migration or overwrite each other's save.
 *
 * @example
 * ```ts
 * import initSqlJs from 'sql.js';
 * import wasmUrl from 'sql.js/dist/sql-wasm-browser.wasm?url'; // the wasm of the glue Vite picks for browsers
 *
 * const files = import.meta.glob('/migrations/*\/*', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;
 * const db = await openBrowserDatabase({ name: 'case-crafter', sqlJs: await initSqlJs({ locateFile: () => wasmUrl }), migrations: files });
 * const report = await db.migrate();
 * ```
 */
export async function openBrowserDatabase(options: BrowserDatabaseOptions): Promise<BrowserDatabase> {
  const { name } = options;
  const locks = options.locks ?? defaultLocks();
  const storage = options.storage ?? indexedDbStorage({ key: name });
  const lockName = `strata:${name}`;
  const SQL = typeof options.sqlJs === 'function' ? await options.sqlJs() : options.sqlJs;

  // The in-memory database, and the stored bytes it started from or last saved (undefined: storage held nothing).
  let current: SqlJsDriver | undefined;
  let known: Uint8Array | undefined;
  let stale = true;
  let closed = false;
  const running = new Set<Promise<unknown>>();

  // Brings the in-memory database up to what is stored. Runs under the lock, so the storage cannot change meanwhile.
  const reload = async (): Promise<SqlJsDriver> => {
    const stored = await storage.load();
    if (current !== undefined && !stale && sameBytes(stored, known)) return current;
    const tracked: SqlJsStorage = {
      load: async () => stored,
      save: async (bytes) => {
        await storage.save(bytes);
        known = bytes;
      },
    };
    const next = await createSqlJsDriver({ sqlJs: SQL, storage: tracked, foreignKeys: options.foreignKeys ?? true });
    await current?.close();
    current = next;
    known = stored;
    stale = false;
    return next;
  };

  // The manager outlives reloads (migrations registered on it stay) by reaching the database through this.
  const active = (): SqlJsDriver => {
    if (current === undefined) throw new StrataError('DATABASE_ERROR', `the browser database "${name}" is used outside run()`);
    return current;
  };
  const delegate: Driver = {
    name: 'sqljs',
    exec: (sql) => active().exec(sql),
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => active().query<R>(sql, params),
    run: (sql, params) => active().run(sql, params),
    inTransaction: () => active().inTransaction(),
    persist: () => active().persist(),
    // The manager never closes its driver; close() below closes the real one.
    close: async () => {},
  };
  const manager = new MigrationManager({
    driver: delegate,
    migrations: options.migrations,
    ...(options.table === undefined ? {} : { table: options.table }),
    ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
  });

  const locked = <T>(fn: (driver: SqlJsDriver) => Promise<T>, save: boolean): Promise<T> => {
    if (closed) return Promise.reject(new StrataError('DATABASE_ERROR', `the browser database "${name}" is closed`));
    const operation = locks.request(lockName, { mode: 'exclusive' }, async () => {
      const driver = await reload();
      try {
        const result = await fn(driver);
        if (save) await driver.persist();
        return result;
      } catch (error) {
        // What a failed operation left in memory is not what is stored; the next one starts from storage again.
        stale = true;
        throw error;
      }
    });
    running.add(operation);
    const forget = () => running.delete(operation);
    operation.then(forget, forget);
    return operation;
  };

  await locked(async () => undefined, false);

  return {
    name,
    lockName,
    run: (fn) => locked((driver) => fn(manager, driver), true),
    migrate: (migrateOptions) => locked(() => manager.migrate(migrateOptions), true),
    rollback: (target, rollbackOptions) => locked(() => manager.rollback(target, rollbackOptions), true),
    status: () => locked(() => manager.status(), false),
    stats: () => locked(() => manager.stats(), false),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(running);
      await current?.close();
    },
  };
}

function sameBytes(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
