import type { Driver, Row, SqlValue } from '@strata/core';
import { sameBytes } from './bytes.js';
import { loadSqlJs, queryRows, runStatement, type SqlJsDatabase, type SqlJsSource, totalChanges } from './sqljs.js';

export type { SqlJsDatabase, SqlJsSource, SqlJsStatement, SqlJsStatic, SqlJsValue } from './sqljs.js';

/**
 * Where a sql.js database is kept between sessions: a file in Node (`fileStorage` from `@strata/driver-sqljs/node`),
 * IndexedDB in a browser, or anything else that stores bytes.
 *
 * @example
 * ```ts
 * const memory: SqlJsStorage = {
 *   load: async () => saved,
 *   save: async (bytes) => { saved = bytes.slice(); },
 * };
 * ```
 */
export interface SqlJsStorage {
  /** The stored database file, or `undefined` when nothing has been stored yet. */
  load(): Promise<Uint8Array | undefined>;
  /** Replaces the stored file with `bytes` (which it must not modify), all at once or not at all. */
  save(bytes: Uint8Array): Promise<void>;
  /**
   * Whether the storage holds exactly `bytes`. Optional: without it, `persist()` loads the stored bytes to compare;
   * a storage that can compare piece by piece saves holding a second copy of the database.
   */
  holds?(bytes: Uint8Array): Promise<boolean>;
}

/**
 * Options of {@link createSqlJsDriver}.
 *
 * @example
 * ```ts
 * const options: SqlJsDriverOptions = { sqlJs: () => initSqlJs({ locateFile }), storage, foreignKeys: true };
 * ```
 */
export interface SqlJsDriverOptions<D extends SqlJsDatabase = SqlJsDatabase> {
  /**
   * An initialised sql.js module, or a function that loads one. Default: `import('sql.js')` initialised without
   * configuration, which finds its wasm file in Node; in a browser, pass a module initialised with `locateFile`.
   */
  readonly sqlJs?: SqlJsSource<D>;
  /** Initial database file; when `storage` is given, used only while the storage holds nothing yet. */
  readonly data?: Uint8Array;
  /** Where the database is loaded from, and where `persist()` saves it. */
  readonly storage?: SqlJsStorage;
  /** Enforce foreign keys; default `true`. */
  readonly foreignKeys?: boolean;
}

/**
 * A Strata {@link Driver} over an in-memory sql.js database, which the application may use as well.
 *
 * @example
 * ```ts
 * const driver: SqlJsDriver = await createSqlJsDriver({ storage });
 * driver.database.run("INSERT INTO events (name) VALUES ('opened')");
 * await driver.persist();
 * ```
 */
export interface SqlJsDriver<D extends SqlJsDatabase = SqlJsDatabase> extends Driver {
  readonly name: 'sqljs';
  /** The sql.js database Strata migrates; typed as sql.js's own `Database` when `sqlJs` was given one. */
  readonly database: D;
  /** Saves the database to `storage`, unless the storage already holds these exact bytes or there is no storage. */
  persist(): Promise<void>;
  /**
   * How many rows the connection has inserted, updated or deleted since the driver was created, triggers included
   * (SQLite's `total_changes()`, carried across the reconnection each export makes).
   */
  changes(): number;
  /**
   * Prepares `sql` and frees it at once. sql.js compiles the first statement of the string and ignores the rest, so
   * pass one statement.
   */
  compile(sql: string): Promise<void>;
  /** An empty database in memory on the same sql.js module, with the same foreign-key default. */
  scratch(): Promise<SqlJsDriver>;
}

/**
 * Creates a Strata driver over sql.js (SQLite compiled to WebAssembly), in Node or in a browser.
 *
 * The database lives in memory: `persist()` writes it to `storage`, and `close()` does not, because a close after a
 * failed run should not store what that run left behind. Integers come back as numbers, which lose precision beyond
 * 2^53. `persist()` exports the database and compares it with what storage holds, writing only when they differ.
 *
 * @example
 * ```ts
 * const SQL = await initSqlJs({ locateFile: (file) => `/assets/${file}` });
 * const driver = await createSqlJsDriver({ sqlJs: SQL, storage: myIndexedDbStorage });
 * await new MigrationManager({ driver, ... }).migrate(); // calls driver.persist()
 * ```
 */
export async function createSqlJsDriver<D extends SqlJsDatabase = SqlJsDatabase>(
  options: SqlJsDriverOptions<D> = {},
): Promise<SqlJsDriver<D>> {
  const { storage, foreignKeys = true } = options;
  const SQL = await loadSqlJs(options.sqlJs);
  // sql.js copies the bytes it opens into its own file system; nothing here keeps them, so they are freed at once.
  const db = new SQL.Database((await storage?.load()) ?? options.data);
  const configure = () => {
    if (foreignKeys) db.run('PRAGMA foreign_keys = ON');
  };
  configure();
  let open = true;
  let saving: Promise<void> = Promise.resolve();

  // Older sql.js releases export by closing and reopening the connection, which starts total_changes() again from
  // zero and resets its pragmas; newer ones copy through SQLite's backup API and keep the connection as it is.
  let changesBeforeExports = 0;
  const exportBytes = () => {
    const before = totalChanges(db);
    const bytes = db.export();
    if (totalChanges(db) < before) {
      changesBeforeExports += before;
      configure();
    }
    return bytes;
  };

  // Comparing bytes rather than counting writes also catches what counters miss: DDL and PRAGMA user_version (not in
  // total_changes()), VACUUM, and writes made through `database` or kysely. sql.js exports are deterministic.
  const save = async () => {
    if (storage === undefined) return;
    const bytes = exportBytes();
    if (await holdsAlready(storage, bytes)) return;
    await storage.save(bytes);
  };

  return {
    name: 'sqljs',
    database: db,
    async exec(sql) {
      db.run(sql);
    },
    async query<R extends Row = Row>(sql: string, params: readonly SqlValue[] = []) {
      return queryRows(db, sql, params) as R[];
    },
    async run(sql, params = []) {
      return runStatement(db, sql, params);
    },
    async compile(sql) {
      db.prepare(sql).free();
    },
    inTransaction() {
      if (!open) return false;
      // sql.js does not expose sqlite3_get_autocommit(), and following our own BEGIN/COMMIT would miss transactions
      // SQLite ends by itself (an INSERT OR ROLLBACK conflict) or that are opened through `database`. A deferred
      // BEGIN on an open connection reads nothing and takes no lock, so it fails only when a transaction is open (sql.js
      // gives its errors no code to tell by); otherwise BEGIN + ROLLBACK changes nothing.
      try {
        db.run('BEGIN');
      } catch {
        return true;
      }
      db.run('ROLLBACK');
      return false;
    },
    scratch: async () => createSqlJsDriver({ sqlJs: SQL, foreignKeys }),
    serialize: async () => exportBytes(),
    changes: () => changesBeforeExports + totalChanges(db),
    persist() {
      // One save at a time, each exporting when its turn comes, so an older snapshot never lands after a newer one.
      const next = saving.then(save);
      saving = next.catch(() => undefined);
      return next;
    },
    async close() {
      if (!open) return;
      open = false;
      await saving;
      db.close();
    },
  };
}

async function holdsAlready(storage: SqlJsStorage, bytes: Uint8Array): Promise<boolean> {
  if (storage.holds !== undefined) return storage.holds(bytes);
  return sameBytes(await storage.load(), bytes);
}
