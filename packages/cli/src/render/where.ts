import { existsSync } from 'node:fs';
import { DEFAULT_HISTORY_TABLE } from '@strata/core';
import type { Palette } from '../color.js';
import { isDatabaseUrl, shownDatabase } from '../database-url.js';
import type { HistoryTableFound } from '../history-table.js';
import type { Settings } from '../settings.js';
import { shownPath } from './paths.js';

/** The `database` and `migrationsDir` fields every `--json` document of a command carries. */
export interface WhereDocument {
  readonly database: {
    /** The database file, absolute, or its URL with any password hidden. */
    readonly file: string;
    readonly driver: string;
    /** Whether the file exists now, after the command. */
    readonly exists: boolean;
    /** The history table. */
    readonly table: string;
    /** Tables shaped like a history table, named when the history table does not exist. */
    readonly otherHistoryTables?: readonly string[];
  };
  /** The migrations folder, absolute. */
  readonly migrationsDir: string;
}

/**
 * Which database, driver, history table and migrations folder a command used, for its JSON document.
 *
 * @example
 * ```ts
 * JSON.stringify({ ...report, ...whereDocument(settings, session?.history) });
 * ```
 */
export function whereDocument(settings: Settings, history: HistoryTableFound | undefined): WhereDocument {
  const others =
    history === undefined || history.exists || history.others.length === 0 ? {} : { otherHistoryTables: history.others };
  return {
    database: {
      file: shownDatabase(settings.databaseFile),
      driver: settings.driver,
      exists: databaseExists(settings.databaseFile),
      table: history?.table ?? settings.table ?? DEFAULT_HISTORY_TABLE,
      ...others,
    },
    migrationsDir: settings.dir,
  };
}

/**
 * The line a command starts with on a terminal: `database /abs/app.db (better-sqlite3) · migrations ./migrations`,
 * dim, saying when the file does not exist yet, and naming the config file when one was read (`· config
 * /abs/strata.config.yaml`).
 *
 * @example
 * ```ts
 * view.err(databaseLine(settings, view.errColor));
 * ```
 */
export function databaseLine(settings: Settings, c: Palette): string {
  const missing = databaseExists(settings.databaseFile) ? '' : ', does not exist yet';
  const dir = shownPath(settings.cwd, settings.dir);
  const shownDir = dir === settings.dir ? dir : `./${dir}`;
  const config = settings.configFile === undefined ? '' : ` · config ${shownPath(settings.cwd, settings.configFile)}`;
  return c.dim(
    `database ${shownDatabase(settings.databaseFile)} (${settings.driver}${missing}) · migrations ${shownDir}${config}`,
  );
}

/** Whether the database is there: a file that exists, or one named by URL, which the server (or libSQL) holds. */
function databaseExists(db: string): boolean {
  return isDatabaseUrl(db) || existsSync(db);
}
