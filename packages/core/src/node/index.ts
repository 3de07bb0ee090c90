export { appDatabaseFile, type DatabaseLocation, prepareDatabaseFile } from './app-paths.js';
export { type BackupOptions, backupDatabase } from './backup.js';
export { type BackupInfo, backupBaseName, backupFileName, listBackups, rotateBackups } from './backup-files.js';
export {
  type BundleLanguage,
  type BundleOptions,
  type BundleResult,
  bundleLanguageOf,
  bundleMigrations,
  writeMigrationsBundle,
} from './bundle.js';
export { type BackupCheck, type BackupCheckOptions, checkBackup } from './check-backup.js';
export { DatabaseManager, type DatabaseManagerStats } from './database-manager.js';
export { type BackupPolicy, type DatabaseManagerOptions, DEFAULT_SETTINGS } from './database-options.js';
// The pieces a driver over a file needs, also at @strata/core/node/files.
export * from './files.js';
export { loadMigrationsFolder, readMigrationsFolder } from './load-folder.js';
export { loadMigrationSource, type MigrationSource } from './migration-source.js';
export { assertRestorable, type RestoreOptions, type RestoreResult, restoreDatabase } from './restore.js';
export { type ScaffoldOptions, type ScaffoldResult, scaffoldMigration } from './scaffold.js';
export { assertSqliteFile, type DatabaseFileStats, databaseFileStats } from './sqlite-file.js';
export type { StartupReport } from './startup.js';
export { StartupError } from './startup-error.js';
