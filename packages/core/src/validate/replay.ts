import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import { fileAttach, ON_REPLAY, Replay } from '../schema/replay.js';
import { roundTrip } from '../schema/round-trip.js';
import { reversibility } from './reversible.js';

/** A migration the replay did not check, because one it depends on, directly or not, could not be replayed. */
export interface NotReplayed {
  readonly version: string;
  readonly name: string;
  /** The migrations it depends on that could not be replayed. */
  readonly after: readonly string[];
}

/**
 * What a round trip of one migration found: `passed`; `failed` (see the `ROUND_TRIP_FAILED` or `REPLAY_FAILED`
 * problem, and `differences`); `skipped`, having no down.sql (`no-down`) or one without a statement (`empty-down`);
 * `not-checked`, depending on a migration that could not be replayed.
 */
export interface RoundTripResult {
  readonly version: string;
  readonly name: string;
  readonly outcome: 'passed' | 'failed' | 'skipped' | 'not-checked';
  readonly reason?: 'no-down' | 'empty-down';
  /** What down.sql, or up.sql applied again, left otherwise, each as a sentence. */
  readonly differences?: readonly string[];
}

/** Options of {@link replayMigrations}. */
export interface ReplayMigrationsOptions {
  /** The history table's name in the replay. */
  readonly table?: string;
  /** Check every down.sql on the way ({@link roundTrip}). */
  readonly roundTrip?: boolean;
  /** Versions not to replay, having problems of their own already reported; what depends on them is not checked. */
  readonly skip?: ReadonlySet<string>;
}

/** What {@link replayMigrations} found. */
export interface ReplayFindings {
  /** `REPLAY_FAILED` for each migration that failed, `ROUND_TRIP_FAILED` for each round trip that did. */
  readonly problems: readonly StrataError[];
  readonly notReplayed: readonly NotReplayed[];
  /** With `roundTrip`: one result per migration, in run order. */
  readonly roundTrips?: readonly RoundTripResult[];
}

/**
 * Applies `order` (applied migrations too: later ones run on what they built) to an empty database in memory opened
 * through `driver.scratch()`, each as a run would, so that what would fail on a real database is found before one is
 * touched. A migration that fails is reported (`REPLAY_FAILED`, with the file, line and column of the token SQLite
 * names) and rolled back, as a run would; the migrations that depend on it, directly or not, cannot be checked and are
 * listed in `notReplayed`, and the others go on. Only declared dependencies count: a later migration that uses what
 * the failed one would have made without declaring it fails too, and is reported as well.
 *
 * @example
 * ```ts
 * const { problems, notReplayed } = await replayMigrations(driver, manager.migrations());
 * ```
 */
export async function replayMigrations(
  driver: Driver,
  order: readonly Migration[],
  options: ReplayMigrationsOptions = {},
): Promise<ReplayFindings> {
  const problems: StrataError[] = [];
  const notReplayed: NotReplayed[] = [];
  const roundTrips: RoundTripResult[] = [];
  // Version → the migrations that could not be replayed that it stands for: itself, or those it waits on.
  const blocked = new Map<string, readonly string[]>();
  const applied: Migration[] = [];
  let replay = await Replay.open(driver, options.table);
  try {
    for (const migration of order) {
      const { version, name } = migration;
      const after = [...new Set(migration.meta.dependencies.flatMap((d) => blocked.get(d) ?? []))];
      if (after.length > 0) {
        blocked.set(version, after);
        notReplayed.push({ version, name, after });
        if (options.roundTrip === true) roundTrips.push({ version, name, outcome: 'not-checked' });
        continue;
      }
      if (options.skip?.has(version) === true) {
        blocked.set(version, [version]);
        continue;
      }
      const reversible = reversibility(migration);
      const attach =
        fileAttach(migration, 'up.sql') ?? (options.roundTrip === true ? fileAttach(migration, 'down.sql') : undefined);
      if (attach !== undefined) {
        problems.push(attach);
        blocked.set(version, [version]);
        if (options.roundTrip === true) roundTrips.push({ version, name, outcome: 'failed' });
        continue;
      }
      try {
        if (options.roundTrip !== true || reversible !== 'reversible') {
          await replay.apply(migration, ON_REPLAY);
          applied.push(migration);
          if (options.roundTrip === true && reversible !== 'reversible') {
            roundTrips.push({ version, name, outcome: 'skipped', reason: reversible });
          }
          continue;
        }
        const outcome = await roundTrip(replay, migration, ON_REPLAY);
        applied.push(migration);
        if (outcome.passed) {
          roundTrips.push({ version, name, outcome: 'passed' });
          continue;
        }
        problems.push(outcome.problem);
        roundTrips.push({ version, name, outcome: 'failed', differences: outcome.differences });
        if (!outcome.applied) replay = await rebuilt(replay, driver, options.table, applied);
      } catch (error) {
        if (!(error instanceof StrataError)) throw error;
        problems.push(error);
        blocked.set(version, [version]);
        if (options.roundTrip === true) roundTrips.push({ version, name, outcome: 'failed' });
      }
    }
  } finally {
    await replay.close();
  }
  return { problems, notReplayed, ...(options.roundTrip === true ? { roundTrips } : {}) };
}

/**
 * A new replay with `applied` applied again, in place of `old`, which a failed round trip left in another state than
 * its migration builds, so that the migrations after it run on what they would run on.
 */
async function rebuilt(old: Replay, driver: Driver, table: string | undefined, applied: readonly Migration[]): Promise<Replay> {
  await old.close();
  const replay = await Replay.open(driver, table);
  try {
    for (const migration of applied) await replay.apply(migration, ON_REPLAY);
    return replay;
  } catch (error) {
    await replay.close();
    throw error;
  }
}
