import { readdir, rm, stat } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { BACKUP_DEFAULTS } from '../defaults.js';
import { StrataError } from '../errors.js';
import { errorCodeOf } from './atomic-file.js';

/**
 * One backup file, as `backupDatabase` wrote it or {@link listBackups} found it.
 *
 * @example
 * ```ts
 * const info: BackupInfo = { file: 'backups/app.20250115T103000123Z.v003.sqlite', createdAt: '2025-01-15T10:30:00.123Z', version: '003', sizeBytes: 81920 };
 * ```
 */
export interface BackupInfo {
  /** The path of the backup file. */
  readonly file: string;
  /** When the backup was taken, ISO 8601 UTC; from the file name for listed backups. */
  readonly createdAt: string;
  /** The last applied migration at that moment, or null when none was (or the name does not say). */
  readonly version: string | null;
  readonly sizeBytes: number;
}

/**
 * The name a database's backups share: the database file's name without its extension (`app` for `app.db`).
 *
 * @example
 * ```ts
 * backupBaseName('/srv/data/app.db'); // 'app'
 * ```
 */
export function backupBaseName(databaseFile: string): string {
  const name = basename(databaseFile);
  const extension = extname(name);
  return extension === '' || extension === name ? name : name.slice(0, -extension.length);
}

/**
 * The file name of a backup: `<dbname>.<YYYYMMDDTHHMMSSmmmZ>[.v<version>].sqlite`. The time is UTC without colons
 * (Windows forbids them in names) and sorts as text in time order.
 *
 * @example
 * ```ts
 * backupFileName('app', new Date('2025-01-15T10:30:00.123Z'), '003'); // 'app.20250115T103000123Z.v003.sqlite'
 * ```
 */
export function backupFileName(dbname: string, createdAt: Date, version: string | null): string {
  const stamp = createdAt.toISOString().replace(/[-:.]/g, '');
  return `${dbname}.${stamp}${version === null ? '' : `.v${version}`}.sqlite`;
}

/**
 * The backups of database `dbname` in `dir`, newest first, by the time in their names (modification times change
 * when files are copied). Other files, including other databases' backups, are left out; a missing folder has none.
 *
 * @example
 * ```ts
 * const [latest] = await listBackups('data/backups', 'app');
 * ```
 */
export async function listBackups(dir: string, dbname: string): Promise<BackupInfo[]> {
  const names = await readdir(dir).catch((error: unknown) => {
    if (errorCodeOf(error) === 'ENOENT') return [];
    throw error;
  });
  const pattern = new RegExp(`^${escapeRegExp(dbname)}\\.(\\d{8}T\\d{9}Z)(?:\\.v(\\d+))?\\.sqlite$`);
  const found: BackupInfo[] = [];
  for (const name of names) {
    const match = pattern.exec(name);
    const stamp = match?.[1];
    if (match === null || stamp === undefined) continue;
    const file = join(dir, name);
    const info = await stat(file).catch(() => undefined);
    if (info === undefined || !info.isFile()) continue;
    found.push({ file, createdAt: isoOf(stamp), version: match[2] ?? null, sizeBytes: info.size });
  }
  return found.sort((a, b) => (a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0));
}

/**
 * Keeps the newest `keep` backups of database `dbname` in `dir` and deletes the others; returns the deleted ones.
 * Touches no other file.
 *
 * @example
 * ```ts
 * const deleted = await rotateBackups('data/backups', 'app', 5);
 * ```
 */
export async function rotateBackups(dir: string, dbname: string, keep: number = BACKUP_DEFAULTS.keep): Promise<BackupInfo[]> {
  if (!Number.isInteger(keep) || keep < 1) {
    throw new StrataError('INVALID_OPTION', `backups to keep must be a whole number of at least 1, not ${keep}`);
  }
  const old = (await listBackups(dir, dbname)).slice(keep);
  for (const backup of old) await rm(backup.file, { force: true });
  return old;
}

function isoOf(stamp: string): string {
  const [, y, mo, d, h, mi, s, ms] = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)(\d{3})Z$/.exec(stamp) ?? [];
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
