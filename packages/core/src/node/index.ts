export { appDatabaseFile, type DatabaseLocation, prepareDatabaseFile } from './app-paths.js';
export {
  assertReplaceable,
  errorCodeOf,
  kindOf,
  type ReplaceOptions,
  removeLeftoverFiles,
  replaceFileAtomically,
  temporaryPathBeside,
  writeFileAtomically,
} from './atomic-file.js';
export { type BackupOptions, backupDatabase } from './backup.js';
export { type BackupInfo, backupBaseName, backupFileName, listBackups, rotateBackups } from './backup-files.js';
export { type BundleLanguage, type BundleOptions, type BundleResult, bundleMigrations, writeMigrationsBundle } from './bundle.js';
export { type BackupCheck, type BackupCheckOptions, checkBackup } from './check-backup.js';
export { DatabaseManager, type DatabaseManagerStats } from './database-manager.js';
export { type BackupPolicy, type DatabaseManagerOptions, DEFAULT_SETTINGS } from './database-options.js';
export { type FileExclusive, type FileExclusiveHooks, fileExclusive } from './file-exclusive.js';
export { databaseHolders, describeHolders, type FileHolder, fileHolders } from './file-holders.js';
export { acquireFileLock, type FileLock, type FileLockOptions, lockHolderOf, WAIT_NOTICE_MS } from './file-lock.js';
export { loadMigrationsFolder, readMigrationsFolder } from './load-folder.js';
export { loadMigrationSource, type MigrationSource } from './migration-source.js';
export { describeProcess, isRunning, type ProcessIdentity, thisProcess } from './processes.js';
export { realPathOf } from './real-path.js';
export { assertRestorable, type RestoreOptions, type RestoreResult, restoreDatabase } from './restore.js';
export { type ScaffoldOptions, type ScaffoldResult, scaffoldMigration } from './scaffold.js';
export { assertSqliteFile, type DatabaseFileStats, databaseFileStats, isWalDatabase } from './sqlite-file.js';
export type { StartupReport } from './startup.js';
export { StartupError } from './startup-error.js';
