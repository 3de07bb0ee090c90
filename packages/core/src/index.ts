export { checksumOf, normalizeSql, sameChecksum } from './checksum.js';
export {
  COMMAND_FORMS,
  COMMAND_NAMES,
  type CommandName,
  commandWords,
  type ParsedCommand,
  type ParsedRollbackTarget,
  parseCommand,
} from './command/grammar.js';
export type {
  CommandError,
  CommandFailure,
  CommandNameOf,
  CommandResult,
  CommandResults,
  CommandSuccess,
  SerializedStatusReport,
  SerializedValidationReport,
} from './command/result.js';
export { type CommandTarget, runCommand } from './command/run.js';
export { BACKUP_DEFAULTS, DEFAULT_SETTINGS, LOCK_DEFAULTS } from './defaults.js';
export {
  type ClassifyOptions,
  classifyMigrations,
  type MigrationPhase,
  phaseMismatches,
  readPhaseSnapshot,
} from './deploy/classify.js';
export {
  type BrokenQuery,
  type CheckQueriesOptions,
  type CompatReport,
  type CompatStep,
  checkQueries,
} from './deploy/compat.js';
export {
  affinity,
  classifyChange,
  type Phase,
  type PhaseChange,
  type PhaseSnapshot,
  type PhaseVerdict,
  type ViewShape,
} from './deploy/phase.js';
export { type QueryText, readQueries } from './deploy/queries.js';
export { type TableConstraints, tableConstraints } from './deploy/table-constraints.js';
export type {
  BatchResult,
  BatchStatement,
  ConnectionSettings,
  Driver,
  DriverFactory,
  DriverThread,
  ExclusiveOptions,
  HeldLock,
  OpenOptions,
  ReaderPool,
  RestoreFromOptions,
  Row,
  SqlValue,
} from './driver.js';
export {
  BatchError,
  type ErrorCode,
  type ErrorLocation,
  type SerializedError,
  StrataError,
  ValidationError,
} from './errors.js';
export { checkDrift, type DriftCheck, type DriftInput, driftProblem } from './inspect/drift.js';
export { type OutOfOrder, outOfOrder, outOfOrderNote } from './inspect/out-of-order.js';
export {
  collectStats,
  type DatabaseStats,
  type ForeignKeyViolation,
  type MigrationStats,
  type TableStats,
} from './inspect/stats.js';
export type { PendingMigration, StatusReport } from './inspect/status.js';
export {
  type BaselineOptions,
  type CompatCheck,
  type CompatOptions,
  type InspectOptions,
  type MigrateOptions,
  MigrationManager,
  type MigrationManagerOptions,
  type RepairOptions,
  type RollbackOptions,
  type ValidateOptions,
  type ValidationReport,
} from './manager.js';
export {
  compareVersions,
  type Migration,
  type MigrationFileName,
  type MigrationMeta,
  type MigrationSet,
  migrationFile,
  type ReplacedMigration,
  VersionSet,
} from './migration.js';
export {
  type MigrationDefinition,
  type MigrationFiles,
  type MigrationFilesOptions,
  parseMigrationFiles,
} from './parse/files.js';
export type { MetaInput } from './parse/meta.js';
export {
  isPrecomputedMigrations,
  PRECOMPUTED_FORMAT,
  PRECOMPUTED_FORMAT_VERSION,
  type PrecomputedMigration,
  type PrecomputedMigrations,
  precomputedSet,
  precomputeMigrations,
} from './parse/precomputed.js';
export { type Migrations, migrationSetOf } from './parse/source.js';
export { type BaselineEntry, type BaselinePlan, type BaselineReport, planBaseline } from './plan/baseline.js';
export { type ForgetPlan, type ForgetReport, planForget } from './plan/forget.js';
export { planMigrate, planPhase } from './plan/migrate.js';
export {
  type ChecksumChange,
  type ChecksumDifference,
  type DuplicateRows,
  planRepair,
  type RepairPlan,
  type RepairReport,
} from './plan/repair.js';
export { planRollback, type RollbackTarget } from './plan/rollback.js';
export type { StepWording } from './run/apply.js';
export { checkHistoryTableName, DEFAULT_HISTORY_TABLE } from './run/history.js';
export { RunError, type RunEvent, type RunReport, type StepReport, type StepStatus } from './run/report.js';
export { diffSchemas, type SchemaDifference } from './schema/diff.js';
export { type SchemaObject, schemaObjects, schemaSql } from './schema/dump.js';
export { type EngineBuild, readEngineBuild } from './schema/engine-build.js';
export { planSchemaChange, type Rename, type SchemaChange, type SchemaChangeOptions } from './schema/generate/plan.js';
export type {
  ColumnModel,
  ForeignKeyModel,
  IndexModel,
  SchemaModel,
  StatementObjectModel,
  TableModel,
} from './schema/model.js';
export { canonicalSql } from './schema/normalize.js';
export { checkParity } from './schema/parity.js';
export type {
  DifferentSchemaFinding,
  FailsEverywhereFinding,
  FailsOnOneFinding,
  ParityEngine,
  ParityEngineInfo,
  ParityFinding,
  ParityOptions,
  ParityReport,
  UncheckedMigration,
} from './schema/parity-report.js';
export { type ReadSchemaOptions, readSchema, SchemaFollower } from './schema/read.js';
export { noScratchDatabase, Replay } from './schema/replay.js';
export { type RoundTripOutcome, roundTrip } from './schema/round-trip.js';
export { containsStatement, type Statement, splitStatements } from './sql/split.js';
export { planSquash, type SquashOptions, type SquashPlan } from './squash/plan.js';
export { summarize } from './summary.js';
export { type AppliedMigration, legacyChecksums } from './validate/history.js';
export {
  type NotReplayed,
  type ReplayFindings,
  type ReplayMigrationsOptions,
  type RoundTripResult,
  replayMigrations,
} from './validate/replay.js';
export { emptyDownWarnings, reversibility } from './validate/reversible.js';
export { type CheckedSet, checkSet } from './validate/set.js';
export { type ResolvedSet, resolveSquashes, type Squash } from './validate/squash.js';
export { checkStatements, type StatementScripts } from './validate/statements.js';
