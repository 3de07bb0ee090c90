import {
  type BaselineOptions,
  type BaselineReport,
  type DatabaseStats,
  type Driver,
  type InspectOptions,
  type MigrateOptions,
  MigrationManager,
  type Migrations,
  type RepairOptions,
  type RepairReport,
  type RollbackOptions,
  type RollbackTarget,
  type Row,
  type RunEvent,
  type RunReport,
  type SqlValue,
  type StatusReport,
  StrataError,
  type ValidationReport,
} from '@strata/core';
import { type IndexedDbDriverOptions, lockNameOf, openIndexedDbShared } from './indexeddb-driver.js';
import type { SqlJsSharedDriver } from './shared-driver.js';

/**
 * Options of {@link openBrowserDatabase}.
 *
 * @example
 * ```ts
 * const options: BrowserDatabaseOptions = { name: 'case-crafter', sqlJs: () => initSqlJs({ locateFile: () => wasmUrl }), migrations: files };
 * ```
 */
export interface BrowserDatabaseOptions extends IndexedDbDriverOptions {
  /** The migrations: a bundler's map of files (`import.meta.glob`), a loaded set, or a bundle `strata bundle` wrote. */
  readonly migrations: Migrations;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Called as each migration starts and finishes, for progress displays. */
  readonly onEvent?: (event: RunEvent) => void;
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
  run<T>(fn: (manager: MigrationManager, driver: SqlJsSharedDriver) => Promise<T>): Promise<T>;
  /** Applies pending migrations; see {@link MigrationManager.migrate}. */
  migrate(options?: MigrateOptions): Promise<RunReport>;
  /** Rolls back one version, the last `steps`, or everything after `to`; see {@link MigrationManager.rollback}. */
  rollback(target: RollbackTarget, options?: RollbackOptions): Promise<RunReport>;
  /** Checks the migrations and the checksums of applied ones, and with `{ drift: true }` the schema; see {@link MigrationManager.validate}. */
  validate(options?: InspectOptions): Promise<ValidationReport>;
  /** Re-records checksums and removes repeated rows of the history; see {@link MigrationManager.repair}. */
  repair(version?: string, options?: RepairOptions): Promise<RepairReport>;
  /** Marks migrations applied without running them; see {@link MigrationManager.baseline}. */
  baseline(version: string, options?: BaselineOptions): Promise<BaselineReport>;
  /** Applied and pending migrations, and problems, of the stored database; with `{ drift: true }`, also its drift. */
  status(options?: InspectOptions): Promise<StatusReport>;
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
  const { migrations, table, onEvent, ...driverOptions } = options;
  const { name } = options;
  const lockName = lockNameOf(name);
  const { driver, discard } = await openIndexedDbShared(driverOptions);
  let closed = false;
  const running = new Set<Promise<unknown>>();

  // Every operation below holds the lock already, so the manager reaches the database through a driver without one
  // (that would wait for itself); it outlives reloads, and the migrations registered on it stay.
  const delegate: Driver = {
    name: driver.name,
    exec: (sql) => driver.exec(sql),
    query: <R extends Row = Row>(sql: string, params?: readonly SqlValue[]) => driver.query<R>(sql, params),
    run: (sql, params) => driver.run(sql, params),
    compile: (sql) => driver.compile(sql),
    inTransaction: () => driver.inTransaction(),
    scratch: () => driver.scratch(),
    persist: () => driver.persist(),
    serialize: () => driver.serialize(),
    // The manager never closes its driver; close() below closes the real one.
    close: async () => {},
  };
  const manager = new MigrationManager({
    driver: delegate,
    migrations,
    ...(table === undefined ? {} : { table }),
    ...(onEvent === undefined ? {} : { onEvent }),
  });

  const locked = <T>(fn: () => Promise<T>, save: boolean): Promise<T> => {
    if (closed) return Promise.reject(new StrataError('DATABASE_ERROR', `the browser database "${name}" is closed`));
    const operation = driver.exclusive(
      async (lock) => {
        try {
          const result = await fn();
          if (save) await lock.persist();
          return result;
        } catch (error) {
          // What a failed operation left in memory is not what is stored; the next one starts from storage again.
          discard();
          throw error;
        }
      },
      { nested: false },
    );
    running.add(operation);
    const forget = () => running.delete(operation);
    operation.then(forget, forget);
    return operation;
  };

  // Opening reads the stored database under the lock, so a storage that cannot be read fails here.
  await locked(async () => undefined, false);

  return {
    name,
    lockName,
    run: (fn) => locked(() => fn(manager, driver), true),
    migrate: (migrateOptions) => locked(() => manager.migrate(migrateOptions), true),
    rollback: (target, rollbackOptions) => locked(() => manager.rollback(target, rollbackOptions), true),
    validate: (inspectOptions) => locked(() => manager.validate(inspectOptions), false),
    repair: (version, repairOptions) => locked(() => manager.repair(version, repairOptions), true),
    baseline: (version, baselineOptions) => locked(() => manager.baseline(version, baselineOptions), true),
    status: (inspectOptions) => locked(() => manager.status(inspectOptions), false),
    stats: () => locked(() => manager.stats(), false),
    async close() {
      if (closed) return;
      closed = true;
      await Promise.allSettled(running);
      await driver.close();
    },
  };
}
