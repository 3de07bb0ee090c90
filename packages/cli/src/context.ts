import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { checkHistoryTableName, type Driver, MigrationManager, type RunEvent } from '@strata/core';
// The folder loader alone: the whole of @strata/core/node (backups, restore, bundles, DatabaseManager) is loaded by
// the commands that use it, not by every run.
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { removeIfLeftEmpty } from './discard.js';
import { openDriver } from './drivers.js';
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
 * file is opened read-only by such commands. The default folder is created for a writing command; a folder named by
 * `--db` or the config file is not, so a mistyped path fails loudly.
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
  const exists = existsSync(file);
  let driver: Driver;
  try {
    if (!exists && options.write && settings.defaultDatabase) mkdirSync(dirname(file), { recursive: true });
    const lock = { ...settings.lock, ...(options.onWait === undefined ? {} : { onWait: options.onWait }) };
    const target = {
      file: exists || options.write ? file : undefined,
      readonly: !options.write,
      lock,
      connection: settings.connection,
    };
    driver = guardDriver(await openDriver(settings.driver, target), file);
  } catch (error) {
    throw databaseError(error, file);
  }
  try {
    const manager = new MigrationManager({ driver, migrations, table: settings.table, onEvent: options.onEvent });
    const history = await inspectHistoryTable(driver, manager.table, file);
    const close = async ({ failed = false } = {}) => {
      await driver.close();
      if (failed && !exists && options.write) await removeIfLeftEmpty(file);
    };
    return { manager, driver, databaseFile: file, existed: exists, history, close };
  } catch (error) {
    await driver.close();
    if (options.write && !exists) await removeIfLeftEmpty(file);
    throw error;
  }
}
