/** A value SQLite stores and returns. */
export type SqlValue = string | number | bigint | Uint8Array | null;

/** One result row, by column name. */
export type Row = Readonly<Record<string, SqlValue>>;

/**
 * What Strata needs from a SQLite connection. Each driver package implements it over one library; core never
 * imports a SQLite library itself.
 *
 * The methods are async so that a driver may sit on an asynchronous connection; the drivers shipped with Strata
 * are synchronous underneath.
 */
export interface Driver {
  /** A short name of the driver, such as `better-sqlite3` or `sqljs`. */
  readonly name: string;
  /** Runs a script of zero or more statements separated by semicolons; returns no rows. */
  exec(sql: string): Promise<void>;
  /** Runs one statement with positional parameters and returns its rows. */
  query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Runs one statement with positional parameters and returns how many rows it changed. */
  run(sql: string, params?: readonly SqlValue[]): Promise<{ readonly changes: number }>;
  /**
   * Prepares one statement and discards it: it runs nothing and binds nothing, so parameters (`?`, `:name`) may stay
   * unbound. It throws what {@link Driver.query} throws for the same SQL when the statement does not compile on this
   * database: a table or column that does not exist, a syntax error. Constraints (NOT NULL, CHECK, foreign keys) are
   * only checked when a statement runs, so it cannot see them. `checkQueries` uses it on a scratch database, and falls
   * back to `EXPLAIN` through `exec` on a driver without it.
   *
   * @example
   * ```ts
   * await driver.compile?.('UPDATE users SET email = :email WHERE id = ?'); // throws `no such column: email` once it is gone
   * ```
   */
  compile?(sql: string): Promise<void>;
  /** True while the connection has an open transaction; Strata only rolls back when it is. */
  inTransaction(): boolean;
  /**
   * Makes the changes committed so far durable, for drivers whose database lives in memory (sql.js). Strata calls it
   * once after a run that changed the database. Drivers that write through to a file leave it out.
   */
  persist?(): Promise<void>;
  /**
   * The whole database as the bytes of a SQLite file, for drivers whose database lives in memory (sql.js); backups
   * use it. Drivers over a file leave it out, and backups use `VACUUM INTO` there.
   */
  serialize?(): Promise<Uint8Array>;
  /**
   * Runs `work` holding a lock that keeps other processes (or tabs) from writing this database, after bringing the
   * connection up to date with what is stored. `MigrationManager` runs a whole migrate or rollback in it, from reading
   * the history to the save. Drivers whose database lives in memory and is saved whole (sql.js on a file) need it:
   * without it, two processes would each migrate their own copy and the last save would win. Drivers over a file take
   * Strata's lock of the file (`acquireFileLock` in `@strata/core/node`), the one lock every Strata process writing
   * the file takes whatever its driver, so that a native run and a sql.js run never overlap; inside it, SQLite's own
   * locks (`BEGIN IMMEDIATE`) still keep other programs' connections apart. A driver without it (in memory) relies on
   * those alone.
   *
   * Fails with `LOCK_TIMEOUT` when another holder keeps the lock longer than the driver waits. `work` is given the
   * lock it runs under, whose `persist()` saves without taking the lock again. A call of this driver's own
   * `exclusive()` or `persist()` made inside `work` also runs at once, under the lock already held, unless `options`
   * says `work` makes none (see {@link ExclusiveOptions.nested}).
   *
   * @example
   * ```ts
   * const count = await driver.exclusive?.(async () => (await driver.query('SELECT count(*) AS n FROM users'))[0]?.n);
   * await driver.exclusive?.(async (lock) => { await driver.exec('DELETE FROM sessions'); await lock.persist(); }, { nested: false });
   * ```
   */
  exclusive?<T>(work: (lock: HeldLock) => Promise<T>, options?: ExclusiveOptions): Promise<T>;
  /**
   * Replaces this database's whole content with the database in `file`, through the engine's own locks: it waits for
   * other connections' writes (up to the busy timeout, then `LOCK_TIMEOUT`), and connections that stay open, in this
   * process or another, read the new content afterwards. It deletes and renames no file of this database, and commits
   * all of the new content or none of it. `file` is read as SQLite reads it, with whatever its own `-wal` holds, or
   * refused (`DATABASE_ERROR`) where the driver cannot. It checks nothing else: `restoreDatabase` and
   * `DatabaseManager.restore` in `@strata/core/node` check the backup first.
   *
   * @example
   * ```ts
   * await driver.restoreFrom?.('backups/app.20250115T103000123Z.v003.sqlite', { keep: 'backups/replaced.sqlite' });
   * ```
   */
  restoreFrom?(file: string, options?: RestoreFromOptions): Promise<void>;
  /**
   * Opens an empty database in memory on the same engine (the same SQLite build, the same connection defaults), for
   * checks that replay migrations without touching this database: `validate`'s replay, drift, round trips, squashing.
   * The caller closes it. A driver without it leaves those checks to a caller that can open one.
   *
   * @example
   * ```ts
   * const scratch = await driver.scratch?.();
   * ```
   */
  scratch?(): Promise<Driver>;
  /**
   * Present on engines without interactive transactions, or whose interactive transactions the server may take away
   * (rqlite, libSQL over the network): runs `statements` as one atomic unit on the engine, all of them or none, and
   * returns how many rows each changed. Where a driver has it, Strata never sends `BEGIN`, `COMMIT` or `ROLLBACK`:
   * each migration, each rollback and each history edit is one call, which holds the statements of its SQL file and
   * its history change, with guards that make the whole batch fail when another client got there first (the history
   * row is inserted first, so a second client's batch fails on its primary key and changes nothing).
   * `inTransaction()` is then always false, and `exec` of a transaction statement is refused by the driver.
   *
   * A failing statement rejects with a {@link BatchError} naming its index; nothing of the batch is applied.
   *
   * @example
   * ```ts
   * await driver.batch?.([
   *   { sql: 'INSERT INTO schema_migrations (version, name, checksum) VALUES (?, ?, ?)', params: ['004', 'tags', sum] },
   *   { sql: 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL)' },
   * ]);
   * ```
   */
  batch?(statements: readonly BatchStatement[]): Promise<readonly BatchResult[]>;
  /** Closes the connection. Safe to call twice. */
  close(): Promise<void>;
}

/** One statement of a {@link Driver.batch}: SQL with positional parameters. */
export interface BatchStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[];
}

/** What one statement of a {@link Driver.batch} did. */
export interface BatchResult {
  /** The rows the statement changed itself, as SQLite's `changes()` counts them. */
  readonly changes: number;
}

/** The lock {@link Driver.exclusive} holds while its `work` runs. */
export interface HeldLock {
  /** Makes the changes committed so far durable, as {@link Driver.persist} does, under this lock. */
  persist(): Promise<void>;
  /**
   * True when nothing but `work` can write the database while the lock is held (sql.js on a file: it refuses a file
   * another program has open), so what `work` read stays true but for its own writes. A lock other programs'
   * connections do not take (Strata's lock over better-sqlite3) leaves it out: they may still write between SQLite's
   * own locks, and what matters is read again inside each write transaction.
   */
  readonly soleWriter?: boolean;
}

/** Options of {@link Driver.restoreFrom}. */
export interface RestoreFromOptions {
  /**
   * A path where the content being replaced is written first, complete (what the `-wal` holds too) and flushed to
   * disk, under the same lock as the restore, so that no commit lands between this copy and the restore. It must not
   * exist yet.
   */
  readonly keep?: string;
}

/** Options of {@link Driver.exclusive}. */
export interface ExclusiveOptions {
  /**
   * `false` promises that `work` calls neither `exclusive()` nor `persist()` of the driver itself (it saves through
   * the {@link HeldLock} it is given instead), so the driver need not tell such calls from those of other code running
   * meanwhile. Telling them apart is not free: on Node it takes an `AsyncLocalStorage`, which adds work to every
   * promise made while `work` runs. With `false`, such a call waits for the lock like any other. Default `true`.
   */
  readonly nested?: boolean;
}

/** Connection settings an application chooses; each driver applies the ones that mean something for it. */
export interface ConnectionSettings {
  /** SQLite's journal mode; WAL lets readers work while a writer commits. Only file databases have one. */
  readonly journalMode?: 'wal' | 'delete' | 'truncate' | 'persist' | 'memory' | 'off';
  /** Enforce foreign keys. */
  readonly foreignKeys?: boolean;
  /** How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`. */
  readonly busyTimeoutMs?: number;
  /** How often SQLite flushes to disk; NORMAL is safe in WAL mode. */
  readonly synchronous?: 'off' | 'normal' | 'full' | 'extra';
}

/** Options of {@link DriverFactory.open}. */
export interface OpenOptions extends ConnectionSettings {
  /** Open for reading only: nothing is written, not even a journal-mode switch. */
  readonly readonly?: boolean;
  /**
   * How long Strata's own lock on the file (which every Strata process writing it takes, whatever its driver) may go
   * unrefreshed, held from another host, before it counts as abandoned. A holder on this host keeps it while its
   * process runs. `busyTimeoutMs` is how long to wait for it.
   */
  readonly lockStaleMs?: number;
  /** Told once, after a second of waiting for a lock or for another program, what the wait is for. */
  readonly onWait?: (notice: string) => void;
}

/**
 * Read-only connections that run queries off the main thread, for an application whose reads would otherwise wait
 * behind each other on one synchronous connection.
 *
 * Every rejection is a `StrataError`: `WRITE_REFUSED` for a statement that writes or returns no rows,
 * `DATABASE_ERROR` for an error of SQLite's (its own error, with SQLite's code, is the `cause`), `LOCK_TIMEOUT` when a
 * lock was held for longer than the busy timeout, `READER_STOPPED` when the thread running the query stopped before
 * answering (or every thread has), and `READERS_CLOSED` once the pool is closed.
 *
 * @example
 * ```ts
 * const rows = await pool.query<{ n: number }>('SELECT count(*) AS n FROM users').catch((error: StrataError) => {
 *   if (error.code === 'READERS_CLOSED') return [];
 *   throw error;
 * });
 * ```
 */
export interface ReaderPool {
  /** How many connections (and threads) the pool holds. */
  readonly size: number;
  /** Runs one read-only statement on the least busy connection; rejects with a `StrataError` (see above). */
  query<R extends Row = Row>(sql: string, params?: readonly SqlValue[]): Promise<R[]>;
  /** Closes every connection and stops the threads. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Opens drivers on database files: what Node-side tools (`DatabaseManager`, the CLI, backup checks) need of a driver
 * package, which exports one.
 */
export interface DriverFactory<D extends Driver = Driver> {
  /** The driver's name, as in {@link Driver.name}. */
  readonly name: string;
  /** Opens (creating when missing, unless read-only) the database file at `file`. */
  open(file: string, options?: OpenOptions): Promise<D>;
  /** Opens `size` read-only connections on `file` in worker threads; absent where the driver cannot share a file. */
  createReaderPool?(file: string, size: number): Promise<ReaderPool>;
  /**
   * Where a worker thread finds this factory again, so that runs over many databases (`migrateMany`) can open them in
   * parallel: the URL of the module that exports it, and the name it is exported under. A factory without one is
   * used on the main thread only.
   */
  readonly thread?: DriverThread;
}

/**
 * The module a worker thread imports to get a {@link DriverFactory}, and the name of the export.
 *
 * @example
 * ```ts
 * const thread: DriverThread = { module: import.meta.url, export: 'betterSqlite3' };
 * ```
 */
export interface DriverThread {
  readonly module: string;
  readonly export: string;
}
