import { stat } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { BACKUP_DEFAULTS } from '../defaults.js';
import type { Driver } from '../driver.js';
import { messageOf, StrataError } from '../errors.js';
import { HistoryTable } from '../run/history.js';
import { replaceFileAtomically, writeFileAtomically } from './atomic-file.js';
import { type BackupInfo, backupBaseName, backupFileName, rotateBackups } from './backup-files.js';
import { makeFolders } from './make-folders.js';

/**
 * Options of {@link backupDatabase}.
 *
 * @example
 * ```ts
 * const options: BackupOptions = { databaseFile: 'data/app.db', dir: '/var/backups/app' };
 * ```
 */
export interface BackupOptions {
  /** The live database file: backups are named after it, and by default go into `backups/` beside it. */
  readonly databaseFile: string;
  /** The folder for backups; created when missing. Default `backups/` beside the database file. */
  readonly dir?: string;
  /** Write exactly this file instead (its folder must exist); `dir` and the naming scheme are then not used. */
  readonly out?: string;
  /** The history table, for the last applied version in the name. Default `schema_migrations`. */
  readonly table?: string;
}

/**
 * Takes a consistent copy of a database while the application keeps using it.
 *
 * Drivers whose database lives in memory (sql.js) hand over their bytes (`serialize()`); for a file, SQLite writes
 * the copy itself with `VACUUM INTO`, a snapshot as of one moment that never includes half a transaction, taken
 * through the connection so no lock is held longer than a read. Being SQLite's own read, it holds every commit, those
 * still in the `-wal` too, whichever process made them and whether or not it is still running. Either way the copy
 * is written to a temporary file, flushed and renamed, so a backup that exists is complete. Run it outside a
 * transaction (SQLite refuses `VACUUM INTO` inside one). An `out` that is the database itself or one of its journals,
 * by path or through a link, is refused (`INVALID_OPTION`). The backup gets the database file's mode.
 *
 * The name is `<dbname>.<YYYYMMDDTHHMMSSmmmZ>.v<last applied>.sqlite` in `dir`, unique per database: a second backup
 * in the same millisecond is named a millisecond later. The version is read just before the copy, so a migration
 * another process commits in between is in the copy but not in the name. Rotate with {@link rotateBackups}.
 *
 * @example
 * ```ts
 * const backup = await backupDatabase(driver, { databaseFile: 'data/app.db' });
 * console.log(backup.file, backup.version, backup.sizeBytes); // data/backups/app.20250115T103000123Z.v003.sqlite …
 * ```
 */
export async function backupDatabase(driver: Driver, options: BackupOptions): Promise<BackupInfo> {
  const target = await backupTarget(driver, options);
  try {
    const { serialize } = driver;
    // A backup is as private as the database: it gets the database file's mode (0600 stays 0600).
    const mode = (await stat(options.databaseFile).catch(() => undefined))?.mode;
    const write = mode === undefined ? {} : { mode };
    if (serialize !== undefined) await writeFileAtomically(target.file, await serialize.call(driver), write);
    else {
      await replaceFileAtomically(
        target.file,
        (temporary) => driver.run('VACUUM INTO ?', [temporary]).then(() => undefined),
        write,
      );
    }
  } catch (error) {
    const databaseFile = resolve(options.databaseFile);
    throw new StrataError('DATABASE_ERROR', `backing up ${databaseFile} to ${target.file} failed: ${messageOf(error)}`, {
      file: target.file,
      cause: error,
    });
  }
  return backupInfo(target);
}

/**
 * A backup taken by {@link backupAndRotate}, and the older ones it deleted.
 *
 * @example
 * ```ts
 * const { backup, removed }: RotatedBackup = await backupAndRotate(driver, { databaseFile: 'data/app.db', keep: 5 });
 * ```
 */
export interface RotatedBackup {
  readonly backup: BackupInfo;
  /** The backups of the same database deleted to keep `keep`, newest first; none with `out`. */
  readonly removed: readonly BackupInfo[];
}

/**
 * Strata's backup policy in one call: {@link backupDatabase}, then, for a backup into the backups folder (not to
 * `out`), {@link rotateBackups} so that the newest `keep` (default 5) of this database's backups stay. The start-up,
 * `DatabaseManager.backup()` and `strata backup` all back up this way.
 *
 * @example
 * ```ts
 * const { backup, removed } = await backupAndRotate(driver, { databaseFile: 'data/app.db', keep: 7 });
 * ```
 */
export async function backupAndRotate(
  driver: Driver,
  options: BackupOptions & { readonly keep?: number },
): Promise<RotatedBackup> {
  const backup = await backupDatabase(driver, options);
  const removed = options.out === undefined ? await rotateBeside(backup, options.databaseFile, options.keep) : [];
  return { backup, removed };
}

/**
 * Deletes the backups of `databaseFile` in the folder of `backup` beyond the newest `keep`, after a backup (or the
 * copy a restore keeps of the database it replaced) was written there.
 *
 * @example
 * ```ts
 * const removed = await rotateBeside(previous, 'data/app.db', 5);
 * ```
 */
export function rotateBeside(backup: BackupInfo, databaseFile: string, keep?: number): Promise<BackupInfo[]> {
  return rotateBackups(dirname(backup.file), backupBaseName(databaseFile), keep);
}

/**
 * Where a backup is about to be written, and what its name records; chosen before anything is copied.
 *
 * @example
 * ```ts
 * const target: BackupTarget = { file: 'data/backups/app.20250115T103000123Z.v003.sqlite', createdAt: new Date(), version: '003' };
 * ```
 */
export interface BackupTarget {
  readonly file: string;
  readonly createdAt: Date;
  /** The last applied version, read just before the copy. */
  readonly version: string | null;
}

/**
 * Chooses the file a backup of `driver`'s database goes to, as {@link backupDatabase} names it, creating the backups
 * folder; refuses (`INVALID_OPTION`) an `out` that is the database itself, by path or through a link.
 *
 * @example
 * ```ts
 * const { file } = await backupTarget(driver, { databaseFile: 'data/app.db' });
 * ```
 */
export async function backupTarget(driver: Driver, options: BackupOptions): Promise<BackupTarget> {
  const databaseFile = resolve(options.databaseFile);
  const version = (await new HistoryTable(driver, options.table).list()).at(-1)?.version ?? null;
  let createdAt = new Date();
  if (options.out !== undefined) {
    const file = resolve(options.out);
    // Its journals are the database too: a backup written over its -wal would throw away the commits it holds.
    for (const suffix of ['', '-wal', '-shm', '-journal']) {
      if (await sameFile(file, `${databaseFile}${suffix}`)) {
        const what = suffix === '' ? 'the database it copies' : `the database's ${suffix.slice(1)} file`;
        throw new StrataError('INVALID_OPTION', `a backup cannot be written over ${what} (${file})`, { file });
      }
    }
    return { file, createdAt, version };
  }
  const dir = resolve(options.dir ?? join(dirname(databaseFile), BACKUP_DEFAULTS.folder));
  makeFolders(dir);
  const nameAt = (time: Date) => join(dir, backupFileName(backupBaseName(databaseFile), time, version));
  let file = nameAt(createdAt);
  while (await exists(file)) {
    createdAt = new Date(createdAt.getTime() + 1);
    file = nameAt(createdAt);
  }
  return { file, createdAt, version };
}

/**
 * The {@link BackupInfo} of a backup written to `target`.
 *
 * @example
 * ```ts
 * const info = await backupInfo(await backupTarget(driver, options));
 * ```
 */
export async function backupInfo(target: BackupTarget): Promise<BackupInfo> {
  const { file, createdAt, version } = target;
  return { file, createdAt: createdAt.toISOString(), version, sizeBytes: (await stat(file)).size };
}

/**
 * Whether two paths name one file: the same path, or the same device and inode, reached through a hard or a symbolic
 * link. A path that does not exist is no file.
 *
 * @example
 * ```ts
 * if (await sameFile('backups/latest.sqlite', 'data/app.db')) throw new Error('that is the database itself');
 * ```
 */
export async function sameFile(a: string, b: string): Promise<boolean> {
  if (resolve(a) === resolve(b)) return true;
  const [first, second] = await Promise.all([a, b].map((path) => stat(path, { bigint: true }).catch(() => undefined)));
  return first !== undefined && second !== undefined && first.dev === second.dev && first.ino === second.ino;
}

async function exists(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined)) !== undefined;
}
