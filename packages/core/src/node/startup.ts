import type { Driver } from '../driver.js';
import { StrataError, ValidationError } from '../errors.js';
import type { MigrationManager } from '../manager.js';
import type { RunReport } from '../run/report.js';
import { backupAndRotate } from './backup.js';
import type { BackupInfo } from './backup-files.js';
import type { ResolvedOptions } from './database-options.js';
import { StartupError } from './startup-error.js';

/**
 * What `DatabaseManager.open` did to the database before handing it over.
 *
 * @example
 * ```ts
 * const { report, backup } = db.startup;
 * console.log(`${report?.steps.length ?? 0} migrations applied; backup: ${backup?.file ?? 'none needed'}`);
 * ```
 */
export interface StartupReport {
  /** The automatic run; undefined when `migrateOnOpen` was false. */
  readonly report: RunReport | undefined;
  /** The backup taken before the run, when one was needed. */
  readonly backup: BackupInfo | undefined;
}

/**
 * The start-up run: validate, back up when the run will change a database that has a schema, then migrate (the phase
 * `options.phase` names, or everything pending).
 *
 * Validation comes first so that a problem (an edited migration, a missing folder) throws before anything is written.
 * A fresh database is not backed up: there is nothing to lose, and the backups folder stays empty. When the run fails
 * after a backup, the error is a {@link StartupError} naming the backup. The caller closes the driver on a throw.
 *
 * @example
 * ```ts
 * const startup = await runStartup(driver, manager, '/srv/data/app.db', resolveOptions(options));
 * ```
 */
export async function runStartup(
  driver: Driver,
  manager: MigrationManager,
  file: string,
  options: Pick<ResolvedOptions, 'backup' | 'table'> & Partial<Pick<ResolvedOptions, 'phase'>>,
): Promise<StartupReport> {
  const status = await manager.status();
  if (status.problems.length > 0) throw new ValidationError(status.problems);
  let backup: BackupInfo | undefined;
  const { beforeMigrate, dir, keep } = options.backup;
  if (beforeMigrate && status.pending.length > 0 && (await hasSchema(driver))) {
    ({ backup } = await backupAndRotate(driver, { databaseFile: file, dir, table: options.table, keep }));
  }
  try {
    return { report: await manager.migrate(options.phase === undefined ? {} : { phase: options.phase }), backup };
  } catch (error) {
    if (backup === undefined || !(error instanceof StrataError)) throw error;
    throw new StartupError(error, backup.file);
  }
}

async function hasSchema(driver: Driver): Promise<boolean> {
  const [row] = await driver.query('SELECT count(*) AS objects FROM sqlite_master');
  return Number(row?.objects ?? 0) > 0;
}
