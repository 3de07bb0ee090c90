import type { Dialect } from 'kysely';
import { BACKUP_DEFAULTS, DEFAULT_SETTINGS } from '../defaults.js';
import type { Phase } from '../deploy/phase.js';
import type { ConnectionSettings, Driver, DriverFactory } from '../driver.js';
import { StrataError } from '../errors.js';
import { checkHistoryTableName } from '../run/history.js';
import type { RunEvent } from '../run/report.js';
import type { MigrationSource } from './migration-source.js';

/**
 * When and where `DatabaseManager` backs the database up.
 *
 * @example
 * ```ts
 * const backup: BackupPolicy = { beforeMigrate: true, dir: '/var/backups/case-crafter', keep: 10 };
 * ```
 */
export interface BackupPolicy {
  /** Back up before a start-up run that applies at least one migration to a database that has a schema. Default true. */
  readonly beforeMigrate?: boolean;
  /** The backups folder, created when missing. Default `backups/` beside the database file. */
  readonly dir?: string;
  /** How many of this database's backups to keep in `dir`; older ones are deleted after each backup. Default 5. */
  readonly keep?: number;
}

/**
 * Options of `DatabaseManager.open`. Give `appName` or `file`, not both.
 *
 * @example
 * ```ts
 * const options: DatabaseManagerOptions<BetterSqlite3Driver> = {
 *   appName: 'case-crafter', driver: betterSqlite3, migrations: 'migrations', readers: 3, kysely: kyselyDialect,
 * };
 * ```
 */
export interface DatabaseManagerOptions<D extends Driver = Driver> {
  /** Keep the database at `<appName>.db` in the per-user data folder, created when missing. */
  readonly appName?: string;
  /** Keep the database at this path instead; a missing folder is created. */
  readonly file?: string;
  /** The driver package's factory, such as `betterSqlite3` or `sqlJsFiles`. */
  readonly driver: DriverFactory<D>;
  /** A migrations folder (relative to the working directory), a loaded set, or a map of path → text. */
  readonly migrations: MigrationSource;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Connection settings over the defaults: WAL, foreign keys on, busy timeout 5000 ms, synchronous NORMAL. */
  readonly settings?: ConnectionSettings;
  /** Apply pending migrations while opening. Default true. */
  readonly migrateOnOpen?: boolean;
  /**
   * The deployment phase start-up runs (see `MigrateOptions.phase`): `expand` for the new version of an application
   * that starts while the previous one still serves from the same database, so that only the migrations the previous
   * version tolerates run; an operator runs the contract phase once that version is gone. Default: every pending one.
   */
  readonly phase?: Phase;
  /** Backups before start-up runs; `false` turns those off. Default `{ beforeMigrate: true, keep: 5 }`. */
  readonly backup?: BackupPolicy | false;
  /**
   * How many read-only connections to open in worker threads, at least 1, for drivers that offer them; then
   * `db.readers` is a `ReaderPool`. Left out, there are none and `db.readers` is undefined.
   */
  readonly readers?: number;
  /**
   * A kysely dialect on the driver's connection, such as `kyselyDialect` from the driver package; then `kysely` is a
   * `Kysely<DB>`. kysely is loaded only when this is given. (A method, so a dialect typed for the factory's driver
   * fits even when `DB` is given explicitly and the driver type is left at its default.)
   */
  kysely?(driver: D): Dialect;
  /** Called as each migration of a run starts and finishes. */
  readonly onEvent?: (event: RunEvent) => void;
}

/**
 * The options with defaults filled in, after the checks that need no file.
 *
 * @example
 * ```ts
 * const { migrateOnOpen, backup }: ResolvedOptions = resolveOptions(options);
 * ```
 */
export interface ResolvedOptions {
  readonly settings: ConnectionSettings;
  readonly table: string | undefined;
  readonly migrateOnOpen: boolean;
  readonly phase: Phase | undefined;
  /** `backup: false` only turns the automatic backups off; `DatabaseManager.backup()` still uses `dir` and `keep`. */
  readonly backup: { readonly beforeMigrate: boolean; readonly dir: string | undefined; readonly keep: number };
  /** 0 when `readers` was left out. */
  readonly readers: number;
}

/**
 * Checks the options that can be checked before anything is opened, and fills in the defaults.
 *
 * @example
 * ```ts
 * const { settings, readers } = resolveOptions(options);
 * ```
 */
export function resolveOptions(options: DatabaseManagerOptions<Driver>): ResolvedOptions {
  if (options.table !== undefined) checkHistoryTableName(options.table);
  const readers = options.readers ?? 0;
  // Given, it promises a pool (the type of `db.readers` says so): 0 would leave none.
  if (options.readers !== undefined && (!Number.isInteger(readers) || readers < 1)) {
    throw new StrataError(
      'INVALID_OPTION',
      `readers must be a whole number of at least 1, not ${readers}; leave readers out to open no reader threads`,
    );
  }
  if (readers > 0 && options.driver.createReaderPool === undefined) {
    throw new StrataError(
      'INVALID_OPTION',
      `driver ${options.driver.name} cannot open readers in worker threads; leave readers at 0 or use better-sqlite3`,
    );
  }
  if (options.phase !== undefined && options.phase !== 'expand' && options.phase !== 'contract') {
    throw new StrataError('INVALID_OPTION', `phase must be 'expand' or 'contract', not ${JSON.stringify(options.phase)}`);
  }
  const policy: BackupPolicy = options.backup === false ? { beforeMigrate: false } : (options.backup ?? {});
  const keep = policy.keep ?? BACKUP_DEFAULTS.keep;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new StrataError('INVALID_OPTION', `backup.keep must be a whole number of at least 1, not ${keep}`);
  }
  const given = Object.entries(options.settings ?? {}).filter(([, value]) => value !== undefined);
  return {
    settings: { ...DEFAULT_SETTINGS, ...Object.fromEntries(given) },
    table: options.table,
    migrateOnOpen: options.migrateOnOpen ?? true,
    phase: options.phase,
    backup: { beforeMigrate: policy.beforeMigrate ?? BACKUP_DEFAULTS.beforeMigrate, dir: policy.dir, keep },
    readers,
  };
}
