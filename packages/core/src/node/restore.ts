import { constants, existsSync } from 'node:fs';
import { copyFile, open, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { DriverFactory } from '../driver.js';
import { type ErrorCode, StrataError, ValidationError } from '../errors.js';
import { replaceFileAtomically } from './atomic-file.js';
import { backupDatabase } from './backup.js';
import type { BackupInfo } from './backup-files.js';
import { type BackupCheck, checkBackup } from './check-backup.js';
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
  /** The live database file to replace. Close every connection to it first. */
  readonly databaseFile: string;
  /** Opens the backup read-only for the check. */
  readonly factory: DriverFactory;
  /** The migrations the backup's history is compared with. */
  readonly migrations: MigrationSource;
  /** The history table. Default `schema_migrations`. */
  readonly table?: string;
  /** Restore even though checksums differ or versions are unknown. Never overrides damage. */
  readonly force?: boolean;
  /** Where the copy of the replaced database goes. Default `backups/` beside the database file. */
  readonly backupDir?: string;
}

/** What a restore checked, and where the database it replaced was kept. */
export interface RestoreResult extends BackupCheck {
  /** A backup of the database as it was just before the restore; undefined when there was no database file. */
  readonly previous: BackupInfo | undefined;
}

/**
 * Replaces a database with a backup, after {@link checkBackup}: a file that is not SQLite, or that `quick_check`
 * finds damaged, is refused (`DATABASE_ERROR`); one whose history does not match the migrations is refused
 * (`CHECKSUM_MISMATCH`, `APPLIED_MISSING`, or `VALIDATION_FAILED` for both) unless `force`. A refusal changes nothing.
 *
 * The swap is atomic: the backup is copied beside the live file and flushed, the live file's `-wal`, `-shm` and
 * `-journal` are deleted (they belong to the old database, and SQLite would replay a stale log into the new one),
 * and the copy is renamed over the live file. So every connection must be closed first; `DatabaseManager.restore`
 * does that. Before the swap, the live database is backed up into `backupDir` (not rotated: the caller rotates after
 * the swap, so rotation can never delete the backup being restored). Pending migrations are not applied.
 *
 * @example
 * ```ts
 * await driver.close();
 * const check = await restoreDatabase('data/backups/app.20250115T103000123Z.v003.sqlite', {
 *   databaseFile: 'data/app.db', factory: betterSqlite3, migrations: 'migrations',
 * });
 * console.log(check.version, check.pending);
 * ```
 */
export async function restoreDatabase(backupFile: string, options: RestoreOptions): Promise<RestoreResult> {
  const databaseFile = resolve(options.databaseFile);
  if (resolve(backupFile) === databaseFile) {
    throw new StrataError('INVALID_OPTION', `${databaseFile} cannot be restored from itself`, { file: databaseFile });
  }
  const check = await checkBackup(backupFile, options);
  assertRestorable(check, options.force === true);
  const previous = existsSync(databaseFile) ? await backUpBeforeRestore(databaseFile, options) : undefined;
  await replaceDatabaseFile(databaseFile, check.file);
  return { ...check, previous };
}

// A restore throws the live database away; the copy makes that undoable. Read-only is enough for VACUUM INTO.
async function backUpBeforeRestore(databaseFile: string, options: RestoreOptions): Promise<BackupInfo> {
  const driver = await options.factory.open(databaseFile, { readonly: true });
  try {
    return await backupDatabase(driver, { databaseFile, dir: options.backupDir, table: options.table });
  } finally {
    await driver.close();
  }
}

/**
 * Throws unless `check` allows a restore: damage always refuses, history differences refuse unless `force`.
 *
 * @example
 * ```ts
 * assertRestorable(await checkBackup(file, options), false);
 * ```
 */
export function assertRestorable(check: BackupCheck, force: boolean): void {
  const { file, integrityProblems, changed, unknown, problems } = check;
  if (integrityProblems.length > 0) {
    const shown = integrityProblems.slice(0, 3).join('; ').replace(/\s+/g, ' ');
    throw new StrataError('DATABASE_ERROR', `backup ${file} is damaged (${shown}); nothing was restored`, { file });
  }
  if (force || problems.length === 0) return;
  const differences = [
    ...changed.map((version) => `${version} was applied from a different up.sql than the migrations have now`),
    ...unknown.map((version) => `${version} is recorded but is not among the migrations`),
  ];
  const code: ErrorCode =
    unknown.length === 0 ? 'CHECKSUM_MISMATCH' : changed.length === 0 ? 'APPLIED_MISSING' : 'VALIDATION_FAILED';
  const [only] = problems;
  throw new StrataError(
    code,
    `backup ${file} does not match the migrations: ${differences.join(', ')}; nothing was restored (use force to restore it anyway)`,
    { file, version: problems.length === 1 ? only?.version : undefined, cause: new ValidationError(problems) },
  );
}

/**
 * Replaces `databaseFile` with a copy of `backupFile`, all at once, dropping the old database's journal files. Checks
 * nothing; see {@link restoreDatabase}.
 *
 * @example
 * ```ts
 * await replaceDatabaseFile('data/app.db', 'data/backups/app.20250115T103000123Z.v003.sqlite');
 * ```
 */
export async function replaceDatabaseFile(databaseFile: string, backupFile: string): Promise<void> {
  await replaceFileAtomically(databaseFile, async (temporary) => {
    await copyFile(backupFile, temporary, constants.COPYFILE_EXCL);
    // Flushed before the old database's log goes, so the old file stands without its log only for as long as a
    // rename takes. Once every connection has closed, SQLite has folded that log into the file anyway.
    await syncFile(temporary);
    for (const suffix of ['-wal', '-shm', '-journal']) await rm(`${databaseFile}${suffix}`, { force: true });
  });
}

async function syncFile(path: string): Promise<void> {
  const handle = await open(path, 'r+');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}
