import type { Driver } from '../driver.js';
import { messageOf, type SerializedError, StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import type { SchemaDifference } from './diff.js';
import type { EngineBuild } from './engine-build.js';
import { explainFailure, type NamedBuild } from './parity-explain.js';

// What checkParity (parity.ts) reports, and how each finding is worded.

/** An engine to replay on: a name to report it by and a driver whose `scratch()` opens a database on it. */
export interface ParityEngine {
  readonly name: string;
  readonly driver: Driver;
}

/** An engine as the report names it, with the SQLite build that explains its findings. */
export interface ParityEngineInfo extends EngineBuild {
  readonly name: string;
}

interface FindingBase {
  readonly version: string;
  readonly name: string;
  /** The finding as one problem (`PARITY_MISMATCH`, or `MIGRATION_FAILED` on every engine), as the CLI prints it. */
  readonly problem: SerializedError;
}

/** A migration that applied on some engines and failed on the others. */
export interface FailsOnOneFinding extends FindingBase {
  readonly kind: 'fails-on-one';
  readonly failedOn: readonly string[];
  readonly appliedOn: readonly string[];
  /** The failure on the first engine it failed on, with file, line and column. */
  readonly error: SerializedError;
  /** The compile options, or else the releases, that differ in the way the error points to; absent when none do. */
  readonly explanation?: string;
  /**
   * Versions that had failed earlier on the engines this one fails on; absent when none had. A migration may build on
   * an earlier one without declaring it in meta.yaml, and then its failure is theirs.
   */
  readonly after?: readonly string[];
}

/** A migration that applied everywhere and left schemas that differ between two engines. */
export interface DifferentSchemaFinding extends FindingBase {
  readonly kind: 'different-schema';
  /** The two engines; `differences` say how the second's schema differs from the first's. */
  readonly engines: readonly [string, string];
  readonly differences: readonly SchemaDifference[];
}

/** A migration that failed on every engine: no engine difference, but nothing after it that needs it is checked. */
export interface FailsEverywhereFinding extends FindingBase {
  readonly kind: 'fails-everywhere';
  readonly error: SerializedError;
}

/** One thing found by {@link checkParity}. */
export type ParityFinding = FailsOnOneFinding | DifferentSchemaFinding | FailsEverywhereFinding;

/** A migration left unchecked on an engine, because a migration it depends on failed there. */
export interface UncheckedMigration {
  readonly version: string;
  readonly name: string;
  readonly engine: string;
  /** The failed migration it depends on, directly or through others. */
  readonly after: string;
}

/** How {@link checkParity} replays. */
export interface ParityOptions {
  /** The history table's name, as a run would record each migration in it; the default when absent. */
  readonly table?: string;
}

/** What {@link checkParity} found. */
export interface ParityReport {
  readonly engines: readonly ParityEngineInfo[];
  /** How many migrations were replayed. */
  readonly migrations: number;
  readonly findings: readonly ParityFinding[];
  readonly unchecked: readonly UncheckedMigration[];
}

/** A failed step: Strata's error, and what SQLite said, which explanations read. */
export interface Failure {
  readonly error: SerializedError;
  readonly sqlite: string;
}

/** The failure of `migration` on one engine, as {@link checkParity} keeps it. */
export function failure(error: unknown, migration: Migration): Failure {
  if (!(error instanceof StrataError)) {
    const file = migrationFile(migration, 'up.sql');
    return {
      error: { code: 'MIGRATION_FAILED', message: messageOf(error), version: migration.version, file },
      sqlite: messageOf(error),
    };
  }
  return { error: error.toJSON(), sqlite: messageOf(error.cause ?? error) };
}

/**
 * The finding for a migration that failed on the `failed` engines: `fails-on-one` when others applied it, explained
 * by their builds (or by the `earlier` failures on the same engines), `fails-everywhere` when none did.
 */
export function failureFinding(
  migration: Migration,
  { error, sqlite }: Failure,
  failed: readonly NamedBuild[],
  applied: readonly NamedBuild[],
  earlier: readonly string[],
): ParityFinding {
  const { version, name } = migration;
  const where = { file: error.file, line: error.line, column: error.column };
  const at = error.line === undefined ? error.file : `${error.file}:${error.line}:${error.column}`;
  if (applied.length === 0) {
    const message = `migration ${version} (${name}) fails on every engine at ${at}: ${sqlite}`;
    return { kind: 'fails-everywhere', version, name, error, problem: { ...where, code: 'MIGRATION_FAILED', version, message } };
  }
  // After a failure on the same engine, that failure explains more than the releases do.
  const explanation = explainFailure(sqlite, failed, applied, earlier.length === 0);
  const names = (list: readonly NamedBuild[]) => list.map((e) => e.name).join(', ');
  const message =
    `migration ${version} (${name}) applies on ${names(applied)} but fails on ${names(failed)} at ${at}: ${sqlite}` +
    (explanation === undefined ? '' : ` (${explanation})`) +
    (earlier.length === 0 ? '' : `; it comes after ${earlier.join(', ')}, which failed there first`);
  return {
    kind: 'fails-on-one',
    version,
    name,
    failedOn: failed.map((e) => e.name),
    appliedOn: applied.map((e) => e.name),
    error,
    ...(explanation === undefined ? {} : { explanation }),
    ...(earlier.length === 0 ? {} : { after: earlier }),
    problem: { ...where, code: 'PARITY_MISMATCH', version, message },
  };
}

/** A failure's problem, saying which migrations after it were left unchecked because of it, and where. */
export function withUnchecked(finding: ParityFinding, unchecked: readonly UncheckedMigration[]): ParityFinding {
  const left = unchecked.filter((u) => u.after === finding.version);
  if (finding.kind === 'different-schema' || left.length === 0) return finding;
  const engines = [...new Set(left.map((u) => u.engine))];
  const said = engines.map((engine) => {
    const versions = left.filter((u) => u.engine === engine).map((u) => u.version);
    return `${versions.join(', ')} on ${engine}`;
  });
  const message = `${finding.problem.message}; not checked, as they depend on it: ${said.join('; ')}`;
  return { ...finding, problem: { ...finding.problem, message } };
}

/** The finding for a migration after which two engines' schemas differ by `differences`, which it made. */
export function schemaFinding(migration: Migration, engines: [string, string], differences: SchemaDifference[]): ParityFinding {
  const { version, name } = migration;
  const list = differences.map((d) => d.message).join('; ');
  const message = `migration ${version} (${name}) leaves a different schema on ${engines[1]} than on ${engines[0]}: ${list}`;
  const file = migrationFile(migration, 'up.sql');
  return {
    kind: 'different-schema',
    version,
    name,
    engines,
    differences,
    problem: { code: 'PARITY_MISMATCH', version, file, message },
  };
}
