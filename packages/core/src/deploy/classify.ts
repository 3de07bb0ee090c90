import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { SchemaFollower } from '../schema/read.js';
import { Replay } from '../schema/replay.js';
import { classifyChange, type Phase, type PhaseChange, type PhaseSnapshot, type ViewShape } from './phase.js';

/**
 * The phase of one migration: what its changes need (`classified`), what meta.yaml declares, and the phase it runs in,
 * `contract` when either says so.
 *
 * @example
 * ```ts
 * const phase: MigrationPhase = { version: '005', name: 'drop_full_name', phase: 'contract', classified: 'contract', changes: [] };
 * ```
 */
export interface MigrationPhase {
  readonly version: string;
  readonly name: string;
  readonly phase: Phase;
  readonly classified: Phase;
  readonly declared?: Phase;
  /** What it changes in the schema, each with the phase it needs; empty for a migration that changes only rows. */
  readonly changes: readonly PhaseChange[];
}

/** Options of {@link classifyMigrations}. */
export interface ClassifyOptions {
  /** The history table's name in the replay, left out of the schemas compared. */
  readonly table?: string;
  /** Which migrations to classify; the others are only applied, in order, to build what those run on. Default all. */
  readonly only?: (migration: Migration) => boolean;
}

/**
 * Classifies migrations by replaying `order` on an empty database in memory of `driver`'s engine and comparing the
 * schema before and after each one (see {@link classifyChange}). A migration that cannot be replayed (it fails there, or
 * attaches a file) is `contract`, as is each one after it: what they change is not known.
 *
 * @example
 * ```ts
 * for (const p of await classifyMigrations(driver, manager.migrations())) console.log(p.version, p.phase);
 * ```
 */
export async function classifyMigrations(
  driver: Driver,
  order: readonly Migration[],
  options: ClassifyOptions = {},
): Promise<MigrationPhase[]> {
  const phases: MigrationPhase[] = [];
  const wanted = options.only ?? (() => true);
  const replay = await Replay.open(driver, options.table);
  const follower = await SchemaFollower.open(replay.driver, { exclude: [replay.table] });
  let unknown: string | undefined;
  try {
    let before: PhaseSnapshot | undefined;
    for (const migration of order) {
      const classify = wanted(migration);
      if (unknown !== undefined) {
        if (classify) phases.push(phaseOf(migration, 'contract', [{ phase: 'contract', message: unknown }]));
        continue;
      }
      if (classify) before ??= await readPhaseSnapshot(replay.driver, follower);
      try {
        await replay.apply(migration);
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        const why = `${migration.folder} could not be replayed on an empty database (${error.message}), so what it changes is not known`;
        unknown = `it follows ${migration.folder}, which could not be replayed, so what it changes is not known`;
        if (classify) phases.push(phaseOf(migration, 'contract', [{ phase: 'contract', message: why }]));
        continue;
      }
      if (!classify) {
        before = undefined;
        continue;
      }
      const after = await readPhaseSnapshot(replay.driver, follower);
      const verdict = classifyChange(before as PhaseSnapshot, after);
      phases.push(phaseOf(migration, verdict.phase, verdict.changes));
      before = after;
    }
  } finally {
    await replay.close();
  }
  return phases;
}

function phaseOf(migration: Migration, classified: Phase, changes: readonly PhaseChange[]): MigrationPhase {
  const declared = migration.meta.phase;
  const phase = declared === 'contract' || classified === 'contract' ? 'contract' : 'expand';
  return {
    version: migration.version,
    name: migration.name,
    phase,
    classified,
    ...(declared === undefined ? {} : { declared }),
    changes,
  };
}

/**
 * The `PHASE_MISMATCH` of each migration whose meta.yaml declares `phase: expand` but that would break the previous
 * version, naming each breaking change; `byVersion` finds the migration of each phase.
 */
export function phaseMismatches(
  phases: readonly MigrationPhase[],
  byVersion: (version: string) => Migration | undefined,
): StrataError[] {
  return phases.flatMap((p) => {
    const migration = byVersion(p.version);
    if (p.declared !== 'expand' || p.classified !== 'contract' || migration === undefined) return [];
    const file = migrationFile(migration, 'meta.yaml');
    const breaking = p.changes.filter((c) => c.phase === 'contract').map((c) => c.message);
    const message = `${file} declares phase: expand, but ${migration.folder} would break the previous version of the application: ${breaking.join('; ')}`;
    return [new StrataError('PHASE_MISMATCH', message, { version: p.version, file })];
  });
}

/** The schema `follower` reads now from the database behind `driver`, and the columns each view returns. */
export async function readPhaseSnapshot(driver: Driver, follower: SchemaFollower): Promise<PhaseSnapshot> {
  const schema = await follower.read();
  const views = new Map<string, ViewShape>();
  for (const view of schema.views) {
    try {
      const columns = await driver.query<{ name: string }>("SELECT name FROM pragma_table_info(?, 'main') ORDER BY cid", [
        view.name,
      ]);
      views.set(view.name.toLowerCase(), { columns: columns.map((c) => c.name) });
    } catch (error) {
      views.set(view.name.toLowerCase(), { error: error instanceof Error ? error.message : String(error) });
    }
  }
  return { schema, views };
}
