// Strata's defaults, in one place: the connection settings, the lock a process writing a database file takes, and the
// backups kept. Browser-safe, so that the CLI and the drivers read them without loading Node-only code.
import type { ConnectionSettings } from './driver.js';

/**
 * The connection settings `DatabaseManager` and the drivers open with unless told otherwise: WAL so readers work
 * while the writer commits, foreign keys enforced, a 5 s wait for locks, and NORMAL sync (safe in WAL).
 *
 * @example
 * ```ts
 * await betterSqlite3.open('app.db', { ...DEFAULT_SETTINGS, busyTimeoutMs: 10_000 });
 * ```
 */
export const DEFAULT_SETTINGS: Readonly<Required<ConnectionSettings>> = Object.freeze({
  journalMode: 'wal',
  foreignKeys: true,
  busyTimeoutMs: 5000,
  synchronous: 'normal',
});

/**
 * Strata's lock of a database file: `staleMs`, how long a lock held from another host may go unrefreshed before it
 * counts as abandoned; `sqlJsTimeoutMs`, how long a sql.js process waits for the lock by default, since another
 * holds it for a whole run rather than one transaction (better-sqlite3 waits `DEFAULT_SETTINGS.busyTimeoutMs`).
 *
 * @example
 * ```ts
 * await acquireFileLock('data/app.db', { timeoutMs: LOCK_DEFAULTS.sqlJsTimeoutMs, staleMs: LOCK_DEFAULTS.staleMs });
 * ```
 */
export const LOCK_DEFAULTS = Object.freeze({ staleMs: 10_000, sqlJsTimeoutMs: 30_000 });

/**
 * Backups: taken before a start-up run that has migrations to apply to a database with a schema (`beforeMigrate`),
 * into the folder `folder` beside the database file, the newest `keep` of them kept.
 *
 * @example
 * ```ts
 * const keep = config.backup?.keep ?? BACKUP_DEFAULTS.keep; // 5
 * ```
 */
export const BACKUP_DEFAULTS = Object.freeze({ beforeMigrate: true, keep: 5, folder: 'backups' });
