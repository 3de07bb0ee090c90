import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { checkHistoryTableName, type Driver, MigrationManager, type RunEvent } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import envPaths from 'env-paths';
import type { GlobalOptions } from './args.js';
import { openDriver } from './drivers.js';
import { databaseError, guardDriver } from './guard-driver.js';
import type { Io } from './io.js';

/** An open database with its manager; `close()` must run however the command ends. */
export interface Session {
  readonly manager: MigrationManager;
  /** The absolute path of the database file, which may not exist yet. */
  readonly databaseFile: string;
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
  readonly onEvent?: ((event: RunEvent) => void) | undefined;
}

/**
 * The database file used without `--db`: `app.db` in the per-user data folder of `strata`
 * (`$XDG_DATA_HOME/strata` or `~/.local/share/strata` on Linux, `~/Library/Application Support/strata` on macOS,
 * `%LOCALAPPDATA%\strata\Data` on Windows). It follows the process environment (env-paths reads `process.env`),
 * not an injected {@link Io}'s `env`.
 */
export function defaultDatabaseFile(): string {
  return join(envPaths('strata', { suffix: '' }).data, 'app.db');
}

/**
 * Loads the migrations folder and opens the database for one command.
 *
 * The migrations are loaded first, so a wrong `--dir` fails before any file is touched. A database file that does
 * not exist is created only by a command that writes; one that only looks (`status`, `validate`, a dry run) sees an
 * empty in-memory database instead, which is what the file would be, and leaves no empty file behind; an existing
 * file is opened read-only by such commands. The default
 * folder is created for a writing command; a folder named by `--db` is not, so a mistyped path fails loudly.
 *
 * @example
 * ```ts
 * const session = await openSession(options, processIo(), { write: false });
 * try { console.log(await session.manager.status()); } finally { await session.close(); }
 * ```
 */
export async function openSession(global: GlobalOptions, io: Io, options: SessionOptions): Promise<Session> {
  if (global.table !== undefined) checkHistoryTableName(global.table);
  const migrations = await loadMigrationsFolder(resolve(io.cwd, global.dir));
  const file = global.db === undefined ? defaultDatabaseFile() : resolve(io.cwd, global.db);
  const exists = existsSync(file);
  let driver: Driver;
  try {
    if (!exists && options.write && global.db === undefined) mkdirSync(dirname(file), { recursive: true });
    const target = { file: exists || options.write ? file : undefined, readonly: !options.write };
    driver = guardDriver(await openDriver(global.driver, target), file);
  } catch (error) {
    throw databaseError(error, file);
  }
  try {
    const manager = new MigrationManager({ driver, migrations, table: global.table, onEvent: options.onEvent });
    const close = async ({ failed = false } = {}) => {
      const discard = failed && !exists && options.write && (await isEmpty(driver));
      await driver.close();
      if (discard) for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(`${file}${suffix}`, { force: true });
    };
    return { manager, databaseFile: file, close };
  } catch (error) {
    await driver.close();
    throw error;
  }
}

async function isEmpty(driver: Driver): Promise<boolean> {
  const rows = await driver.query('SELECT count(*) AS objects FROM sqlite_master');
  return rows[0]?.objects === 0;
}
