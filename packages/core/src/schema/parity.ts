import type { Migration } from '../migration.js';
import { diffSchemas, type SchemaDifference } from './diff.js';
import { readEngineBuild } from './engine-build.js';
import type { SchemaModel } from './model.js';
import type { NamedBuild } from './parity-explain.js';
import {
  type Failure,
  failure,
  failureFinding,
  type ParityEngine,
  type ParityFinding,
  type ParityOptions,
  type ParityReport,
  schemaFinding,
  type UncheckedMigration,
  withUnchecked,
} from './parity-report.js';
import { Replay } from './replay.js';

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
export async function checkParity(
  migrations: readonly Migration[],
  engines: readonly ParityEngine[],
  options: ParityOptions = {},
): Promise<ParityReport> {
  const replays: Replay[] = [];
  try {
    for (const engine of engines) replays.push(await Replay.open(engine.driver, options.table));
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
