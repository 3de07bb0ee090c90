import type { Dialect, Kysely } from 'kysely';
import type { Driver, ReaderPool } from '../driver.js';
import { StrataError } from '../errors.js';
import { MigrationManager } from '../manager.js';
import type { MigrationSet } from '../migration.js';
import type { DatabaseManagerOptions, ResolvedOptions } from './database-options.js';

/**
 * Everything `DatabaseManager` holds open on one database file, from `open` to `close`: a restore goes into the open
 * connection, so none of it is replaced.
 *
 * @example
 * ```ts
 * const rows = await connection.readers?.query('SELECT 1 AS one');
 * ```
 */
export interface Connection<DB, D extends Driver> {
  readonly driver: D;
  readonly migrations: MigrationManager;
  readonly kysely: Kysely<DB> | undefined;
  readonly readers: ReaderPool | undefined;
}

/**
 * Opens the driver with the resolved settings, lets `prepare` work on it (the start-up run), then adds kysely and the
 * readers, which should only ever see a migrated schema. Whatever was opened is closed again when a step fails.
 *
 * @example
 * ```ts
 * const { connection, prepared } = await openConnection(options, resolved, file, set, (driver, migrations) => runStartup(...));
 * ```
 */
export async function openConnection<DB, D extends Driver, T>(
  options: DatabaseManagerOptions<D>,
  resolved: ResolvedOptions,
  file: string,
  set: MigrationSet,
  prepare: (driver: D, migrations: MigrationManager) => Promise<T>,
): Promise<{ connection: Connection<DB, D>; prepared: T }> {
  const driver = await options.driver.open(file, resolved.settings);
  let kysely: Kysely<DB> | undefined;
  try {
    const migrations = new MigrationManager({ driver, migrations: set, table: resolved.table, onEvent: options.onEvent });
    const prepared = await prepare(driver, migrations);
    const dialect = options.kysely?.(driver);
    kysely = dialect === undefined ? undefined : await createKysely<DB>(dialect);
    const readers = resolved.readers > 0 ? await options.driver.createReaderPool?.(file, resolved.readers) : undefined;
    return { connection: { driver, migrations, kysely, readers }, prepared };
  } catch (error) {
    await kysely?.destroy();
    await driver.close();
    throw error;
  }
}

/**
 * Closes the readers, kysely and the driver, in that order; the driver is closed even when the others fail.
 *
 * @example
 * ```ts
 * await closeConnection(connection);
 * ```
 */
export async function closeConnection<DB>(connection: Connection<DB, Driver>): Promise<void> {
  try {
    await connection.readers?.close();
    // Leaves the driver's connection open: the dialects of Strata's drivers do not close it.
    await connection.kysely?.destroy();
  } finally {
    await connection.driver.close();
  }
}

// Imported here, on demand, so that an application without kysely never loads it (it is an optional peer).
async function createKysely<DB>(dialect: Dialect): Promise<Kysely<DB>> {
  let kysely: typeof import('kysely');
  try {
    kysely = await import('kysely');
  } catch (error) {
    throw new StrataError('INVALID_OPTION', 'the kysely option needs the kysely package; install it beside @strata/core', {
      cause: error,
    });
  }
  return new kysely.Kysely<DB>({ dialect });
}
