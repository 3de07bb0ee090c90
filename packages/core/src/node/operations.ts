// The Node-side operations on a database and a migrations folder, apart from an application's start-up: backups and
// their checks, restores, bundles, scaffolding, where an application keeps its database, and file statistics.
// `@strata/core/node` (the start-up: loading a folder, `DatabaseManager`) imports nothing of this entry's own modules;
// a test of its import graph keeps it so.
export { appDatabaseFile, type DatabaseLocation, prepareDatabaseFile } from './app-paths.js';
export { type BackupOptions, backupAndRotate, backupDatabase, type RotatedBackup } from './backup.js';
export { type BackupInfo, backupBaseName, backupFileName, listBackups, rotateBackups } from './backup-files.js';
export {
  type BundleLanguage,
  type BundleOptions,
  type BundleResult,
  bundleLanguageOf,
  bundleMigrations,
  writeMigrationsBundle,
} from './bundle.js';
export { type BundleCheck, checkMigrationsBundle } from './bundle-check.js';
export { type BackupCheck, type BackupCheckOptions, checkBackup } from './check-backup.js';
export { assertRestorable, type RestoreOptions, type RestoreResult, restoreDatabase } from './restore.js';
export { type ScaffoldOptions, type ScaffoldResult, scaffoldMigration, type VersionScheme } from './scaffold.js';
export { assertSqliteFile, type DatabaseFileStats, databaseFileStats } from './sqlite-file.js';
export { type WriteSquashOptions, type WriteSquashResult, writeSquash } from './squash.js';
