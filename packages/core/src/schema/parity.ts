import type { Driver } from '../driver.js';
import { messageOf, type SerializedError, StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { diffSchemas, type SchemaDifference } from './diff.js';
import { type EngineBuild, readEngineBuild } from './engine-build.js';
import type { SchemaModel } from './model.js';
import { explainFailure, type NamedBuild } from './parity-explain.js';
import { Replay } from './replay.js';

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

/** What {@link checkParity} found. */
export interface ParityReport {
  readonly engines: readonly ParityEngineInfo[];
  /** How many migrations were replayed. */
  readonly migrations: number;
  readonly findings: readonly ParityFinding[];
  readonly unchecked: readonly UncheckedMigration[];
}

/**
 * Replays `migrations` (in run order) on every engine, each in an empty database in memory opened through its
 * driver's `scratch()`, exactly as a run applies them, and reports each migration that applies on one engine and
 * fails on another (with the compile options that explain it), or that leaves schemas that differ. A failure on one
 * engine does not stop the others, nor that engine: only the migrations that depend on the failed one (through
 * meta.yaml) are left unchecked there, and listed. Schemas are compared after every migration, and only what the
 * migration changed is reported, so one difference is reported once. Changes no database.
 *
 * @example
 * ```ts
 * const report = await checkParity(manager.migrations(), [
 *   { name: 'better-sqlite3', driver: native },
 *   { name: 'sqljs', driver: wasm },
 * ]);
 * for (const finding of report.findings) console.error(finding.problem.message);
 * ```
 */
export async function checkParity(migrations: readonly Migration[], engines: readonly ParityEngine[]): Promise<ParityReport> {
  const replays: Replay[] = [];
  try {
    for (const engine of engines) replays.push(await Replay.open(engine.driver));
    const builds: NamedBuild[] = [];
    for (const [i, replay] of replays.entries()) {
      builds.push({ name: engines[i]?.name ?? '', build: await readEngineBuild(replay.driver) });
    }
    const findings: ParityFinding[] = [];
    const unchecked: UncheckedMigration[] = [];
    // Per engine, the versions that failed or were left unchecked there, each with the failure it goes back to.
    const blocked = builds.map(() => new Map<string, string>());
    const messages = (pairs: Map<string, SchemaDifference[]>) =>
      new Map([...pairs].map(([key, differences]) => [key, new Set(differences.map((d) => d.message))]));
    // What already differed before each migration, so that a migration is blamed only for what it changed.
    const schemas = new Schemas(replays);
    let known = messages(await schemas.differences());
    for (const migration of migrations) {
      // What failed earlier on each engine: a migration may build on it without declaring so in meta.yaml.
      const failedBefore = blocked.map((versions) => [...versions].filter(([v, after]) => v === after).map(([v]) => v));
      const outcomes: (Failure | 'applied' | 'unchecked')[] = [];
      for (const [i, replay] of replays.entries()) {
        const blocking = migration.meta.dependencies.map((v) => blocked[i]?.get(v)).find((v) => v !== undefined);
        if (blocking !== undefined) {
          blocked[i]?.set(migration.version, blocking);
          unchecked.push({ version: migration.version, name: migration.name, engine: builds[i]?.name ?? '', after: blocking });
          outcomes.push('unchecked');
          continue;
        }
        try {
          await replay.apply(migration);
          outcomes.push('applied');
        } catch (error) {
          blocked[i]?.set(migration.version, migration.version);
          outcomes.push(failure(error, migration));
        }
      }
      const failed = builds.filter((_, i) => typeof outcomes[i] === 'object');
      const applied = builds.filter((_, i) => outcomes[i] === 'applied');
      const first = outcomes.find((o): o is Failure => typeof o === 'object');
      const earlier = [...new Set(failedBefore.filter((_, i) => typeof outcomes[i] === 'object').flat())];
      if (first !== undefined) findings.push(failureFinding(migration, first, failed, applied, earlier));
      const now = await schemas.differences();
      for (const [key, differences] of now) {
        const [a = 0, b = 0] = key.split(',').map(Number);
        const fresh = differences.filter((d) => !known.get(key)?.has(d.message));
        if (fresh.length > 0 && outcomes[a] === 'applied' && outcomes[b] === 'applied') {
          findings.push(schemaFinding(migration, [builds[a]?.name ?? '', builds[b]?.name ?? ''], fresh));
        }
      }
      known = messages(now);
    }
    const engineInfo = builds.map((b) => ({ name: b.name, ...b.build }));
    return {
      engines: engineInfo,
      migrations: migrations.length,
      findings: findings.map((f) => withUnchecked(f, unchecked)),
      unchecked,
    };
  } finally {
    for (const replay of replays) await replay.close();
  }
}

/**
 * The schemas of the engines, read again only where `sqlite_master` changed: reading a schema expands every view
 * (`pragma_table_list`), which costs far more than a migration does on a folder with many views.
 */
class Schemas {
  private readonly seen = new Map<Replay, { readonly master: string; readonly schema: SchemaModel }>();

  constructor(private readonly replays: readonly Replay[]) {}

  /**
   * How the schema of each engine differs from each earlier one's, by the pair of their indexes (`0,1`). Engines
   * whose `sqlite_master` reads the same, statement for statement, have the same schema, and none is read.
   */
  async differences(): Promise<Map<string, SchemaDifference[]>> {
    const masters = await Promise.all(this.replays.map((r) => masterOf(r)));
    const pairs = new Map<string, SchemaDifference[]>();
    if (new Set(masters).size === 1) {
      for (const [a] of masters.entries()) for (const [b] of masters.entries()) if (a < b) pairs.set(`${a},${b}`, []);
      return pairs;
    }
    const schemas: SchemaModel[] = [];
    for (const [i, replay] of this.replays.entries()) {
      const master = masters[i] ?? '';
      const cached = this.seen.get(replay);
      const schema = cached?.master === master ? cached.schema : await replay.schema();
      this.seen.set(replay, { master, schema });
      schemas.push(schema);
    }
    for (const [a, before] of schemas.entries()) {
      for (const [b, after] of schemas.entries()) if (a < b) pairs.set(`${a},${b}`, diffSchemas(before, after));
    }
    return pairs;
  }
}

async function masterOf(replay: Replay): Promise<string> {
  const rows = await replay.driver.query('SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name');
  return JSON.stringify(rows);
}

/** A failed step: Strata's error, and what SQLite said, which explanations read. */
interface Failure {
  readonly error: SerializedError;
  readonly sqlite: string;
}

function failure(error: unknown, migration: Migration): Failure {
  if (!(error instanceof StrataError)) {
    const file = migrationFile(migration, 'up.sql');
    return {
      error: { code: 'MIGRATION_FAILED', message: messageOf(error), version: migration.version, file },
      sqlite: messageOf(error),
    };
  }
  return { error: error.toJSON(), sqlite: messageOf(error.cause ?? error) };
}

function failureFinding(
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
function withUnchecked(finding: ParityFinding, unchecked: readonly UncheckedMigration[]): ParityFinding {
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

function schemaFinding(migration: Migration, engines: [string, string], differences: SchemaDifference[]): ParityFinding {
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
