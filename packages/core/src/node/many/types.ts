import type { ConnectionSettings, DriverFactory } from '../../driver.js';
import type { SerializedError } from '../../errors.js';
import type { MigrationSource } from '../migration-source.js';

/**
 * How one database of a run over many ended. `skipped`: not started, as an earlier one failed under `failFast`.
 *
 * @example
 * ```ts
 * const done: MigrateOutcome[] = ['migrated', 'up-to-date'];
 * ```
 */
export type MigrateOutcome = 'migrated' | 'up-to-date' | 'failed' | 'skipped';

/**
 * One database of {@link migrateMany}: plain data, small, safe to keep for thousands of databases or to write as JSON.
 *
 * @example
 * ```ts
 * const row: MigrateResult = { file: '/srv/tenants/acme.db', result: 'migrated', from: '001', to: '003', applied: 2, durationMs: 4 };
 * ```
 */
export interface MigrateResult {
  /** The database file, as given in `targets`. */
  readonly file: string;
  readonly result: MigrateOutcome;
  /** The version applied last before the run; null for a database with no history (or one that could not be read). */
  readonly from: string | null;
  /** The version applied last after the run (after the migrations applied before a failure). */
  readonly to: string | null;
  /** How many migrations this run applied to the database. */
  readonly applied: number;
  readonly durationMs: number;
  /** Why it failed: the error's code, message, version and file, as `StrataError.toJSON()` gives them. */
  readonly error?: SerializedError;
}

/**
 * Where one database of {@link statusMany} or {@link validateMany} stands. `current`: nothing pending; `behind`:
 * migrations pending; `problems`: checksum mismatches, applied migrations missing, …; `failed`: it could not be read.
 *
 * @example
 * ```ts
 * const attention: InspectOutcome[] = ['behind', 'problems', 'failed'];
 * ```
 */
export type InspectOutcome = 'current' | 'behind' | 'problems' | 'failed' | 'skipped';

/**
 * One database of {@link statusMany} or {@link validateMany}.
 *
 * @example
 * ```ts
 * const row: InspectResult = { file: 'tenants/acme.db', result: 'behind', version: '002', applied: 2, pending: 1, problems: [], durationMs: 1 };
 * ```
 */
export interface InspectResult {
  readonly file: string;
  readonly result: InspectOutcome;
  /** The version applied last; null for a database with no history. */
  readonly version: string | null;
  readonly applied: number;
  readonly pending: number;
  /** The database's problems (`CHECKSUM_MISMATCH`, `APPLIED_MISSING`, …), or the error that kept it from being read. */
  readonly problems: readonly SerializedError[];
  readonly durationMs: number;
}

/**
 * How far a run over many databases is, told after each database: the one that just finished, and the counts.
 *
 * @example
 * ```ts
 * const onProgress = ({ done, total, failed }: ManyProgress<MigrateResult>) => console.log(`${done}/${total}, ${failed} failed`);
 * ```
 */
export interface ManyProgress<R> {
  readonly result: R;
  /** Its place in `targets`. */
  readonly index: number;
  readonly done: number;
  readonly total: number;
  readonly failed: number;
  /** Since the run started, in milliseconds. */
  readonly elapsedMs: number;
}

/**
 * Options of {@link migrateMany}, {@link statusMany} and {@link validateMany}.
 *
 * @example
 * ```ts
 * const options: ManyOptions<MigrateResult> = { targets: ['a.db', 'b.db'], migrations: 'migrations', driver: betterSqlite3, concurrency: 2 };
 * ```
 */
export interface ManyOptions<R> {
  /** The database files, each in its own run; one that does not exist is created by `migrateMany` alone. */
  readonly targets: readonly string[];
  /** A migrations folder, a loaded set, or a map of path → text; read, checked and checksummed once for the run. */
  readonly migrations: MigrationSource;
  /**
   * The driver package's factory (`betterSqlite3`, `sqlJsFiles`). Databases run in parallel in worker threads when
   * it says where a thread can load it ({@link DriverFactory.thread}); otherwise one at a time on this thread.
   */
  readonly driver: DriverFactory;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Connection settings, as `DatabaseManager` takes them, with the lock's options. */
  readonly settings?: ConnectionSettings & { readonly lockStaleMs?: number };
  /**
   * How many databases run at once, each in a worker thread; 1 runs them one after the other on this thread.
   * Default `os.availableParallelism()`, never more than there are targets.
   */
  readonly concurrency?: number;
  /** After the first failure, start no new database; those not started are `skipped`. Default false. */
  readonly failFast?: boolean;
  /** Told as each database finishes, in the order they finish. */
  readonly onProgress?: (progress: ManyProgress<R>) => void;
}

/**
 * What a run over many databases returns: one row per target, in the order of `targets`, and the migrations it ran
 * with (their count and {@link migrationsDigest}).
 *
 * @example
 * ```ts
 * const { results } = await migrateMany({ targets, migrations: 'migrations', driver: betterSqlite3 });
 * const failed = results.filter((r) => r.result === 'failed');
 * ```
 */
export interface ManyReport<R> {
  readonly results: readonly R[];
  readonly migrations: { readonly count: number; readonly digest: string };
  readonly durationMs: number;
}
