import type { Driver } from '../driver.js';
import { type ErrorCode, messageOf, StrataError } from '../errors.js';
import { type Migration, versionKey } from '../migration.js';
import { diffSchemas, type SchemaDifference } from '../schema/diff.js';
import type { SchemaModel } from '../schema/model.js';
import { readSchema } from '../schema/read.js';
import { Replay } from '../schema/replay.js';
import { summarize } from '../summary.js';
import { type AppliedMigration, recordedVersions } from '../validate/history.js';
import type { Squash } from '../validate/squash.js';

/**
 * What the drift check of `status` and `validate` found: how the database's schema differs from the one its applied
 * migrations build (empty when it does not), or, when the comparison would say nothing true, why it was not made.
 *
 * @example
 * ```ts
 * const check: DriftCheck = { driftSkipped: 'the history does not match the migrations folder (CHECKSUM_MISMATCH 002)' };
 * ```
 */
export type DriftCheck = { readonly drift: readonly SchemaDifference[] } | { readonly driftSkipped: string };

/** What {@link checkDrift} compares: the database, its history and the migrations, with the problems already found. */
export interface DriftInput {
  readonly driver: Driver;
  /** The history table, which is never drift. */
  readonly table: string;
  /** Canonical version → migration, as `checkSet` gives it. */
  readonly byVersion: ReadonlyMap<string, Migration>;
  /** The history rows, oldest first, as the history table lists them. */
  readonly applied: readonly AppliedMigration[];
  readonly problems: readonly StrataError[];
  /** Whether the history table exists; asked only when no row is recorded. */
  readonly historyExists: () => Promise<boolean>;
  /** The set's squashes: a history row of a version one replaces stands for it. */
  readonly squashes?: readonly Squash[];
}

/**
 * Problems after which a replay would not be of the migrations that ran: the file of an applied migration changed or
 * is gone, or the set is malformed, so which file a version stands for is uncertain. A version recorded twice
 * (`DUPLICATE_HISTORY`) is replayed once, and a statement that cannot run in a transaction (`UNSAFE_STATEMENT`) is
 * replayed as the run did it, so neither stops the check.
 */
const UNREPLAYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CHECKSUM_MISMATCH',
  'APPLIED_MISSING',
  'INVALID_MIGRATION',
  'INVALID_META',
  'DUPLICATE_VERSION',
  'MISSING_DEPENDENCY',
  'DEPENDENCY_CYCLE',
]);

/**
 * Compares the database's schema with the one its applied migrations build: they are replayed, in the order the
 * history lists them, on an empty database in memory of the driver's own engine ({@link Replay}), and the two
 * schemas are read and compared as {@link diffSchemas} does, the history table and SQLite's own tables
 * (`sqlite_stat1`, `sqlite_sequence`, shadow tables) left out. A difference says what the database has that the
 * migrations do not build: `table users: column phone TEXT added`. Changes nothing in the database.
 *
 * Not made, with the reason, when the history does not match the folder (see {@link UNREPLAYABLE}), when an applied
 * migration fails on the empty database (it needed something the migrations do not make, such as a table made by
 * hand or an extension), when the driver cannot open a database in memory or read the database's schema (a virtual
 * table of a module its SQLite lacks), and when a database with objects has no
 * history table (nothing is recorded as applied; `baseline` is the way in). A database with no objects and no history
 * has no drift.
 *
 * @example
 * ```ts
 * const check = await checkDrift({ driver, table: 'schema_migrations', byVersion, applied, problems, historyExists });
 * if ('drift' in check) for (const d of check.drift) console.log(d.message);
 * ```
 */
export async function checkDrift(input: DriftInput): Promise<DriftCheck> {
  const { driver, table, applied } = input;
  const blocking = input.problems.filter((p) => UNREPLAYABLE.has(p.code));
  if (blocking.length > 0) {
    const named = summarize(blocking.map((p) => (p.version === undefined ? p.code : `${p.code} ${p.version}`)));
    return {
      driftSkipped: `the migrations folder or the history has problems (${named}), so replaying the applied migrations would not build what they built; fix those first`,
    };
  }
  let actual: SchemaModel;
  try {
    actual = await readSchema(driver, { exclude: [table] });
  } catch (error) {
    // A virtual table of a module this engine lacks (fts5 under sql.js) cannot be read; status must still answer.
    return { driftSkipped: `the database's schema cannot be read with the ${driver.name} driver: ${messageOf(error)}` };
  }
  if (applied.length === 0 && !(await input.historyExists())) {
    const objects = [...actual.tables, ...actual.indexes, ...actual.views, ...actual.triggers].map((o) => o.name);
    if (objects.length === 0) return { drift: [] };
    return {
      driftSkipped: `the database has no history table ${table}, so no migration is recorded as applied, but it holds ${summarize(objects)}; if another table records its migrations, name that one as the history table, and if migrations built these, baseline records those migrations as applied`,
    };
  }
  let replay: Replay;
  try {
    replay = await Replay.open(driver, table);
  } catch (error) {
    return { driftSkipped: messageOf(error) };
  }
  const migrations = new Set<Migration>();
  for (const { row, migration } of recordedVersions(input.byVersion, applied)) {
    // A squash in the order stands in for what it replaces, at the place of the first replaced row.
    const standing = migration ?? squashOf(input.squashes ?? [], input.byVersion, row.version);
    if (standing !== undefined) migrations.add(standing);
  }
  try {
    return { drift: await replay.differencesFrom(migrations, actual) };
  } catch (error) {
    return { driftSkipped: replayFailure(error) };
  } finally {
    await replay.close();
  }
}

/** The squash of the order that replaces `version`, whose own row the history may not have yet. */
function squashOf(
  squashes: readonly Squash[],
  byVersion: ReadonlyMap<string, Migration>,
  version: string,
): Migration | undefined {
  const key = versionKey(version);
  const squash = squashes.find((s) => s.checksums.has(key) && byVersion.get(s.migration.version) === s.migration);
  return squash?.migration;
}

/**
 * Why a migration that ran on the database fails on the empty one, in one line: where, and SQLite's own words, not
 * the run's message, which would say what a failure left behind in the scratch database.
 */
function replayFailure(error: unknown): string {
  const failure = error instanceof StrataError ? error : undefined;
  const version = failure?.version ?? 'of the history';
  const at = [failure?.file, failure?.line, failure?.column].filter((part) => part !== undefined).join(':');
  const cause = failure?.cause === undefined ? messageOf(error) : messageOf(failure.cause);
  return `migration ${version}${at === '' ? '' : ` (${at})`} fails when the applied migrations are replayed on an empty database: ${cause}; it needs something no migration before it makes (a table made by hand, an extension), so there is no schema to compare with`;
}

/**
 * The `SCHEMA_DRIFT` problem for the differences {@link checkDrift} found, each in its sentence.
 *
 * @example
 * ```ts
 * driftProblem(drift).message; // 'the database schema is not the one its applied migrations build: table audit added; …'
 * ```
 */
export function driftProblem(drift: readonly SchemaDifference[]): StrataError {
  return new StrataError(
    'SCHEMA_DRIFT',
    `the database schema is not the one its applied migrations build: ${drift.map((d) => d.message).join('; ')}; write a migration for a change made on purpose, or undo it`,
  );
}
