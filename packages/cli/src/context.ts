import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkHistoryTableName, type Driver, MigrationManager, type RunEvent } from '@strata/core';
// The folder loader alone: the whole of @strata/core/node (backups, restore, bundles, DatabaseManager) is loaded by
// the commands that use it, not by every run.
import { createDatabaseFolder } from '@strata/core/node/database-file';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { isDatabaseUrl, takesUrl } from './database-url.js';
import { removeFoldersIfEmpty, removeIfLeftEmpty } from './discard.js';
import { driverFactory, openDriver } from './drivers.js';
import { databaseError, guardDriver } from './guard-driver.js';
import { type HistoryTableFound, inspectHistoryTable } from './history-table.js';
import type { Settings } from './settings.js';

/** An open database with its manager; `close()` must run however the command ends. */
export interface Session {
  readonly manager: MigrationManager;
  /** The connection the manager uses, for work beside migrations such as a backup. */
  readonly driver: Driver;
  /** The absolute path of the database file, which may not exist yet. */
  readonly databaseFile: string;
  /** Whether the database file existed when the session opened. */
  readonly existed: boolean;
  /** What the database holds under the history table's name, and other history tables when it has none. */
  readonly history: HistoryTableFound;
  /**
   * Closes the database. After a failed command, a database file this session created is removed again when it
   * holds no schema at all, so a failure leaves the disk exactly as it was.
   */
  close(options?: { readonly failed?: boolean }): Promise<void>;
}

/** How to open a session. */
export interface SessionOptions {
  /** Whether the command writes: only then is a missing database file (and the default folder) created. */
  readonly write: boolean;
  /** False to skip loading the migrations folder; the manager then has none. */
  readonly migrations?: boolean;
  readonly onEvent?: ((event: RunEvent) => void) | undefined;
  /** Told what a wait for another process is for, once it has lasted a second. */
  readonly onWait?: ((notice: string) => void) | undefined;
}

/**
 * Loads the migrations folder and opens the database for one command.
 *
 * The migrations are loaded first, so a wrong `--dir` fails before any file is touched. A database file that does
 * not exist is created only by a command that writes; one that only looks (`status`, `validate`, a dry run) sees an
 * empty in-memory database instead, which is what the file would be, and leaves no empty file behind; an existing
 * file is opened read-only by such commands. A writing command creates the file's folder when it is missing, whether
 * the file is the default one or named by `--db` or the config file; a failed one takes it away again while empty.
 *
 * @example
 * ```ts
 * const session = await openSession(await resolveSettings(global, processIo()), { write: false });
 * try { console.log(await session.manager.status()); } finally { await session.close(); }
 * ```
 */
export async function openSession(settings: Settings, options: SessionOptions): Promise<Session> {
  if (settings.table !== undefined) checkHistoryTableName(settings.table);
  const migrations = options.migrations === false ? undefined : await loadMigrationsFolder(settings.dir);
  const file = settings.databaseFile;
  // A database named by URL is a server's (or libSQL's own file), there whether or not a file of that name is here.
  const exists = takesUrl(settings.driver) || isDatabaseUrl(file) || existsSync(file);
  // Loaded first, outside the database's errors: a driver whose library is not installed is no database failure.
  await driverFactory(settings.driver);
  let driver: Driver;
  // Created here, as the driver would, to know which folders a failed command should take away again.
  let created: string | undefined;
  try {
    if (!exists && options.write) created = createDatabaseFolder(file);
    const lock = { ...settings.lock, ...(options.onWait === undefined ? {} : { onWait: options.onWait }) };
    const target = {
      file: exists || options.write ? file : undefined,
      readonly: !options.write,
      lock,
      connection: settings.connection,
      ...(settings.authToken === undefined ? {} : { authToken: settings.authToken }),
    };
    driver = guardDriver(await openDriver(settings.driver, target), file);
  } catch (error) {
    if (created !== undefined) await removeFoldersIfEmpty(dirname(file), created);
    throw databaseError(error, file);
  }
  try {
    const manager = new MigrationManager({ driver, migrations, table: settings.table, onEvent: options.onEvent });
    const history = await inspectHistoryTable(driver, manager.table, file);
    const close = async ({ failed = false } = {}) => {
      await driver.close();
      if (!failed || exists || !options.write) return;
      await removeIfLeftEmpty(file);
      if (created !== undefined) await removeFoldersIfEmpty(dirname(file), created);
    };
    return { manager, driver, databaseFile: file, existed: exists, history, close };
  } catch (error) {
    await driver.close();
    if (options.write && !exists) await removeIfLeftEmpty(file);
    throw error;
  }
}
