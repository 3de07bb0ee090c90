import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Driver, DriverFactory } from '../driver.js';
import { type ErrorCode, messageOf, StrataError, ValidationError } from '../errors.js';
import { summarize } from '../summary.js';
import { replaceFileAtomically } from './atomic-file.js';
import { backupInfo, backupTarget, rotateBeside, sameFile } from './backup.js';
import type { BackupInfo } from './backup-files.js';
import { type BackupCheck, type BackupCheckOptions, checkBackup } from './check-backup.js';
import type { MigrationSource } from './migration-source.js';

/**
 * Options of {@link restoreDatabase}.
 *
 * @example
 * ```ts
 * const options: RestoreOptions = { databaseFile: 'data/app.db', factory: sqlJsFiles, migrations: 'migrations', force: true };
 * ```
 */
export interface RestoreOptions {
  /** The database file to restore into; other programs may keep it open. Created when missing. */
  readonly databaseFile: string;
  /** Opens the backup read-only for the check, and the database to restore into. */
  readonly factory: DriverFactory;
  /** The migrations the backup's history is compared with. */
  readonly migrations: MigrationSource;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /**
   * Restore even though checksums differ, versions are unknown, or the file is not a database of these migrations (no
   * history table, or objects attached to it). Never overrides damage.
   */
  readonly force?: boolean;
  /** Where the copy of the replaced database goes. Default `backups/` beside the database file. */
  readonly backupDir?: string;
  /**
   * Once the copy of the replaced database is written, delete this database's backups beyond the newest `keep`, as
   * after a backup; without it, none is deleted. Never the backup being restored: it is rotated only afterwards.
   */
  readonly keep?: number;
}

/** What a restore checked, and where the database it replaced was kept. */
export interface RestoreResult extends BackupCheck {
  /** A backup of the database as it was just before the restore; undefined when there was no database file. */
  readonly previous: BackupInfo | undefined;
}

/**
 * Restores a database from a backup, after {@link checkRestore}: the backup must not be the database itself (by path
 * or through a link: `INVALID_OPTION`), must be an intact SQLite file (`DATABASE_ERROR`), and without `force` must be
 * a database of these migrations whose history matches them (`INVALID_OPTION`, `CHECKSUM_MISMATCH`,
 * `APPLIED_MISSING`, or `VALIDATION_FAILED` for both). A refusal changes nothing.
 *
 * The backup goes into the database through the driver ({@link Driver.restoreFrom}): with SQLite, through its backup
 * API and its locks, so programs that keep the database open wait for the restore and then read the restored
 * content, and another program's write in progress is waited for (up to the busy timeout, then `LOCK_TIMEOUT`). No
 * file of the database is deleted or renamed. Under the same lock, just before it is replaced, the database is
 * copied into `backupDir` (`previous`; not rotated: the caller rotates afterwards, so rotation can never delete the
 * backup being restored). Pending migrations are not applied.
 *
 * @example
 * ```ts
 * const check = await restoreDatabase('data/backups/app.20250115T103000123Z.v003.sqlite', {
 *   databaseFile: 'data/app.db', factory: betterSqlite3, migrations: 'migrations',
 * });
 * console.log(check.version, check.pending, check.previous?.file);
 * ```
 */
export async function restoreDatabase(backupFile: string, options: RestoreOptions): Promise<RestoreResult> {
  const databaseFile = resolve(options.databaseFile);
  const check = await checkRestore(backupFile, databaseFile, options, options.force === true);
  const existed = existsSync(databaseFile);
  const driver = await options.factory.open(databaseFile);
  try {
    return await restoreThrough(driver, check, {
      databaseFile,
      dir: options.backupDir,
      table: options.table,
      keepPrevious: existed,
      ...(options.keep === undefined ? {} : { keep: options.keep }),
    });
  } finally {
    await driver.close();
  }
}

/**
 * The checks of a restore, in order: `backupFile` is not `databaseFile` itself (by path or through a link), then
 * {@link checkBackup}, then {@link assertRestorable}. Changes nothing.
 *
 * @example
 * ```ts
 * const check = await checkRestore('backups/app.sqlite', '/srv/data/app.db', { factory, migrations: 'migrations' }, false);
 * ```
 */
export async function checkRestore(
  backupFile: string,
  databaseFile: string,
  options: BackupCheckOptions,
  force: boolean,
): Promise<BackupCheck> {
  const file = resolve(backupFile);
  if (await sameFile(file, databaseFile)) {
    const through = file === resolve(databaseFile) ? '' : ' (the same file through a link)';
    throw new StrataError(
      'INVALID_OPTION',
      `${file} is the database ${databaseFile} itself${through}; a database cannot be restored from itself`,
      { file },
    );
  }
  const check = await checkBackup(file, options);
  assertRestorable(check, force);
  return check;
}

/**
 * Where {@link restoreThrough} keeps the database it replaces.
 *
 * @example
 * ```ts
 * const keep: KeepPrevious = { databaseFile: '/srv/data/app.db', dir: '/srv/backups', keepPrevious: true };
 * ```
 */
export interface KeepPrevious {
  /** The database file: the copy is named after it. */
  readonly databaseFile: string;
  /** The backups folder. Default `backups/` beside the database file. */
  readonly dir?: string | undefined;
  /** The history table, for the version in the copy's name. */
  readonly table?: string | undefined;
  /** Keep a copy at all: false for a database that did not exist before. */
  readonly keepPrevious: boolean;
  /** Rotate the backups folder to this many after the copy is written; see {@link RestoreOptions.keep}. */
  readonly keep?: number;
}

/**
 * Restores a checked backup into the database `driver` has open, keeping a copy of what it replaces, made under the
 * same lock as the restore. Refuses (`INVALID_OPTION`) a driver without {@link Driver.restoreFrom}.
 *
 * @example
 * ```ts
 * const result = await restoreThrough(driver, await checkRestore(file, databaseFile, options, false), { databaseFile, keepPrevious: true });
 * ```
 */
export async function restoreThrough(driver: Driver, check: BackupCheck, keep: KeepPrevious): Promise<RestoreResult> {
  const { restoreFrom } = driver;
  if (restoreFrom === undefined) {
    throw new StrataError('INVALID_OPTION', `the ${driver.name} driver cannot restore a backup into a database`);
  }
  const { databaseFile } = keep;
  const restore = async (into?: string) => {
    try {
      await restoreFrom.call(driver, check.file, into === undefined ? undefined : { keep: into });
    } catch (error) {
      if (error instanceof StrataError) throw error;
      const message = `restoring ${databaseFile} from ${check.file} failed: ${messageOf(error)}`;
      throw new StrataError('DATABASE_ERROR', message, { file: databaseFile, cause: error });
    }
  };
  if (!keep.keepPrevious) {
    await restore();
    return { ...check, previous: undefined };
  }
  const target = await backupTarget(driver, { databaseFile, dir: keep.dir, table: keep.table });
  // The driver writes the copy to the temporary file, which becomes the backup once the restore is done.
  await replaceFileAtomically(target.file, restore);
  const previous = await backupInfo(target);
  // Rotated only now, so that it can never delete the backup that was being restored.
  if (keep.keep !== undefined) await rotateBeside(previous, databaseFile, keep.keep);
  return { ...check, previous };
}

/**
 * Throws unless `check` allows a restore: damage always refuses; a file that is not a database of these migrations,
 * or whose history differs from them, refuses unless `force`.
 *
 * @example
 * ```ts
 * assertRestorable(await checkBackup(file, options), false);
 * ```
 */
export function assertRestorable(check: BackupCheck, force: boolean): void {
  const { file, integrityProblems, historyTableProblems, changed, unknown, problems } = check;
  if (integrityProblems.length > 0) {
    const shown = integrityProblems.slice(0, 3).join('; ').replace(/\s+/g, ' ');
    throw new StrataError('DATABASE_ERROR', `backup ${file} is damaged (${shown}); nothing was restored`, { file });
  }
  if (force) return;
  const unlessForced = 'nothing was restored (use force to restore it anyway)';
  if (historyTableProblems.length > 0) {
    throw new StrataError(
      'INVALID_OPTION',
      `backup ${file} is not a database of these migrations: ${historyTableProblems.join('; ')}; ${unlessForced}`,
      { file },
    );
  }
  if (problems.length === 0) return;
  const differences = [
    ...changed.map((version) => `${version} was applied from a different up.sql than the migrations have now`),
    ...unknown.map((version) => `${version} is recorded but is not among the migrations`),
    // Any other problem of the history (a version recorded twice) in its own words.
    ...problems.filter((p) => p.code !== 'CHECKSUM_MISMATCH' && p.code !== 'APPLIED_MISSING').map((p) => p.message),
  ];
  const [only] = problems;
  const code: ErrorCode = problems.every((p) => p.code === only?.code)
    ? (only?.code ?? 'VALIDATION_FAILED')
    : 'VALIDATION_FAILED';
  throw new StrataError(code, `backup ${file} does not match the migrations: ${summarize(differences)}; ${unlessForced}`, {
    file,
    version: problems.length === 1 ? only?.version : undefined,
    cause: new ValidationError(problems),
  });
}
