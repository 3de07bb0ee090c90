// The start-up of a Node application: loading a migrations folder, and `DatabaseManager`, which opens the database,
// backs it up before a risky run and migrates it. Operations beside the start-up (backups on demand, restores,
// bundles, scaffolding) are at `@strata/core/node/operations`, and this entry's import graph holds none of them.
export { DatabaseManager, type DatabaseManagerStats } from './database-manager.js';
export type { BackupPolicy, DatabaseManagerOptions } from './database-options.js';
// The pieces a driver over a file needs, also at @strata/core/node/files.
export * from './files.js';
export { loadMigrationsFolder, readMigrationsFolder } from './load-folder.js';
// Many databases (a database per tenant) in one run, in worker threads; also at @strata/core/node/many.
export {
  type InspectOutcome,
  type InspectResult,
  type ManyOptions,
  type ManyProgress,
  type ManyReport,
  type MigrateManyOptions,
  type MigrateOutcome,
  type MigrateResult,
  migrateMany,
  migrationsDigest,
  statusMany,
  validateMany,
} from './many/index.js';
export { loadMigrationSource, type MigrationSource } from './migration-source.js';
export type { StartupReport } from './startup.js';
export { StartupError } from './startup-error.js';
