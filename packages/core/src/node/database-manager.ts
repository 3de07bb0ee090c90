import { existsSync } from 'node:fs';
import type { Kysely } from 'kysely';
import type { Driver, ReaderPool } from '../driver.js';
import { StrataError, ValidationError } from '../errors.js';
import type { DatabaseStats } from '../inspect/stats.js';
import type { MigrationManager } from '../manager.js';
import type { MigrationSet } from '../migration.js';
import { checkSet } from '../validate/set.js';
import { prepareDatabaseFile } from './app-paths.js';
import { backupAndRotate } from './backup.js';
import type { BackupInfo } from './backup-files.js';
import { type Connection, closeConnection, openConnection } from './connection.js';
import { type DatabaseManagerOptions, type ResolvedOptions, resolveOptions } from './database-options.js';
import { loadMigrationSource } from './migration-source.js';
import type { RestoreResult } from './restore.js';
import { type DatabaseFileStats, databaseFileStats } from './sqlite-file.js';
import { runStartup, type StartupReport } from './startup.js';

/**
 * What {@link DatabaseManager.stats} reports: the database's statistics and its files' sizes on disk.
 *
 * @example
 * ```ts
 * const { health, file } = await db.stats();
 * console.log(health.status, file.sizeBytes, file.walSizeBytes);
 * ```
 */
export interface DatabaseManagerStats extends DatabaseStats {
  readonly file: DatabaseFileStats;
}

/**
 * One application database, from start-up to shutdown: where the file lives, the connection, its migrations, backups
 * before risky runs, checked restores, an optional kysely on the same connection, and optional reader threads.
 *
 * `open` is the whole start-up. It validates the migrations (a problem throws before anything is written), backs up
 * a database that has a schema when migrations are pending, and applies them; if one fails, everything is closed and
 * the error (a {@link StartupError} when a backup was taken) says which backup holds the state before the run.
 *
 * @example
 * ```ts
 * const db = await DatabaseManager.open<DB>({ appName: 'case-crafter', driver: betterSqlite3, migrations: 'migrations', kysely: kyselyDialect });
 * const users = await db.kysely.selectFrom('users').selectAll().execute();
 * await db.close();
 * ```
 */
export class DatabaseManager<DB = unknown, D extends Driver = Driver, R extends ReaderPool | undefined = ReaderPool | undefined> {
  private closing: Promise<void> | undefined;

  private constructor(
    /** The absolute path of the database file. */
    readonly file: string,
    /** What the start-up did: the automatic run's report and the backup taken before it, if any. */
    readonly startup: StartupReport,
    private readonly options: DatabaseManagerOptions<D>,
    private readonly resolved: ResolvedOptions,
    private readonly set: MigrationSet,
    private readonly connection: Connection<DB, D>,
  ) {}

  /**
   * Opens (creating when missing) the database and brings it up to date; see {@link DatabaseManagerOptions}. Given
   * `readers`, it also opens the reader threads, and `db.readers` is a `ReaderPool`, never undefined.
   *
   * @example
   * ```ts
   * const db = await DatabaseManager.open({ file: 'data/app.db', driver: betterSqlite3, migrations: 'migrations', readers: 2 });
   * const rows = await db.readers.query('SELECT count(*) AS n FROM users');
   * ```
   */
  static open<DB = unknown, D extends Driver = Driver>(
    options: DatabaseManagerOptions<D> & { readonly readers: number },
  ): Promise<DatabaseManager<DB, D, ReaderPool>>;
  /**
   * Opens (creating when missing) the database and brings it up to date; see {@link DatabaseManagerOptions}.
   *
   * @example
   * ```ts
   * const db = await DatabaseManager.open({ file: 'data/app.db', driver: sqlJsFiles, migrations: 'migrations' });
   * ```
   */
  static open<DB = unknown, D extends Driver = Driver>(options: DatabaseManagerOptions<D>): Promise<DatabaseManager<DB, D>>;
  static async open<DB = unknown, D extends Driver = Driver>(
    options: DatabaseManagerOptions<D>,
  ): Promise<DatabaseManager<DB, D>> {
    const resolved = resolveOptions(options);
    const set = await loadMigrationSource(options.migrations);
    // A broken migrations set is refused before the database file is even created. The statements are checked by
    // the run, of the migrations it runs; where there is no database yet, that is all of them, so here.
    const refuse = () => {
      const { problems } = checkSet(set);
      if (problems.length > 0) throw new ValidationError(problems);
    };
    if (resolved.migrateOnOpen && checkSet(set, { statements: false }).problems.length > 0) refuse();
    const file = await prepareDatabaseFile(options);
    if (resolved.migrateOnOpen && !existsSync(file)) refuse();
    const { connection, prepared } = await openConnection<DB, D, StartupReport>(
      options,
      resolved,
      file,
      set,
      (driver, migrations) =>
        resolved.migrateOnOpen
          ? runStartup(driver, migrations, file, resolved)
          : Promise.resolve({ report: undefined, backup: undefined }),
    );
    return new DatabaseManager(file, prepared, options, resolved, set, connection);
  }

  /** The connection, the same one from `open` to `close`. */
  get driver(): D {
    return this.connection.driver;
  }

  /** The migrations of this database, for `status`, `migrate`, `rollback` and `stats`. */
  get migrations(): MigrationManager {
    return this.connection.migrations;
  }

  /** Typed queries on the same connection. Throws `INVALID_OPTION` unless `open` was given a `kysely` dialect. */
  get kysely(): Kysely<DB> {
    const { kysely } = this.connection;
    if (kysely === undefined) throw new StrataError('INVALID_OPTION', 'no kysely dialect was given to DatabaseManager.open');
    return kysely;
  }

  /** The read-only connections in worker threads: a `ReaderPool` when `open` was given `readers`, else undefined. */
  get readers(): R {
    // `open` opened a pool exactly when it was given `readers`, which is what its overloads make R say.
    return this.connection.readers as R;
  }

  /**
   * The migrations' statistics and health checks, plus the sizes of the file and its WAL on disk.
   *
   * @example
   * ```ts
   * if ((await db.stats()).file.walSizeBytes > 64 * 1024 * 1024) await db.driver.exec('PRAGMA wal_checkpoint(TRUNCATE)');
   * ```
   */
  async stats(): Promise<DatabaseManagerStats> {
    this.assertOpen();
    return { ...(await this.migrations.stats()), file: await databaseFileStats(this.file) };
  }

  /**
   * Backs the database up now, into the backups folder (then rotated to `keep`) or to `out`; see `backupDatabase`.
   *
   * @example
   * ```ts
   * const { file, version } = await db.backup();
   * ```
   */
  async backup(options: { readonly out?: string; readonly dir?: string } = {}): Promise<BackupInfo> {
    this.assertOpen();
    const { backup } = await backupAndRotate(this.driver, {
      databaseFile: this.file,
      table: this.resolved.table,
      out: options.out,
      dir: options.dir ?? this.resolved.backup.dir,
      keep: this.resolved.backup.keep,
    });
    return backup;
  }

  /**
   * Restores the database from a backup, into the open connection. The backup is checked first, and a refusal (see
   * `restoreDatabase`: the database itself through a link, damage, a file that is not a database of these migrations,
   * a history that differs; `force` accepts the last two, never damage) changes nothing. Then the driver copies it
   * into the database through the engine's own locks: `driver`, `kysely`, the readers and other programs that keep
   * the database open stay valid and read the restored content afterwards, and a write another connection has in
   * progress is waited for (up to the busy timeout, then `LOCK_TIMEOUT`). With better-sqlite3, a write this process
   * makes on its own connection while the restore holds the lock cannot wait for it (the restore runs on the same
   * thread), so it fails with `SQLITE_BUSY` once the busy timeout is over: let the restore finish first. The database
   * as it was just before, under the same lock, is kept in the backups folder (`previous`). Pending migrations are not
   * applied; `migrations.migrate()` does that.
   *
   * @example
   * ```ts
   * const [latest] = await listBackups('data/backups', 'app');
   * if (latest !== undefined) await db.restore(latest.file);
   * ```
   */
  async restore(backupFile: string, options: { readonly force?: boolean } = {}): Promise<RestoreResult> {
    this.assertOpen();
    const { table } = this.resolved;
    const { dir, keep } = this.resolved.backup;
    // Loaded when needed, so that the start-up loads nothing of restores.
    const { checkRestore, restoreThrough } = await import('./restore.js');
    const checking = { factory: this.options.driver, migrations: this.set, table };
    const check = await checkRestore(backupFile, this.file, checking, options.force === true);
    return restoreThrough(this.driver, check, { databaseFile: this.file, dir, table, keepPrevious: true, keep });
  }

  /**
   * Closes the readers, kysely and the connection. Safe to call twice. With sql.js, save your own writes with
   * `driver.persist()` first: closing does not save.
   *
   * @example
   * ```ts
   * process.once('SIGTERM', () => void db.close());
   * ```
   */
  close(): Promise<void> {
    this.closing ??= closeConnection(this.connection);
    return this.closing;
  }

  private assertOpen(): void {
    if (this.closing !== undefined) throw new StrataError('DATABASE_ERROR', `the database ${this.file} has been closed`);
  }
}
