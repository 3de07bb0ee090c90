import { StrataError } from '../errors.js';
import { type Migration, VersionSet, versionKey } from '../migration.js';

/** Options of a migrate plan. */
export interface MigratePlanOptions {
  /** Stop after this version: apply the pending migrations that come before it in run order, and it. */
  readonly to?: string;
}

/**
 * The migrations to apply, in run order: every pending one, or with `to` those up to and including that version.
 * `applied` holds the recorded versions, matched by number (a row `001` is folder `0001`'s). Decides only; nothing is
 * executed.
 *
 * @example
 * ```ts
 * const plan = planMigrate(checkSet(set).order, new Set(['001']), { to: '003' }); // 002 and 003, when pending
 * ```
 */
export function planMigrate(
  order: readonly Migration[],
  applied: Iterable<string>,
  options: MigratePlanOptions = {},
): Migration[] {
  const done = new VersionSet(applied);
  let end = order.length;
  if (options.to !== undefined) {
    const target = findVersion(order, options.to);
    end = order.indexOf(target) + 1;
  }
  return order.slice(0, end).filter((m) => !done.has(m.version));
}

/** The migration with this version, matched by number so `2`, `02` and `002` agree. */
export function findVersion(order: readonly Migration[], version: string): Migration {
  const wanted = /^\d+$/.test(version) ? versionKey(version) : undefined;
  const found = wanted === undefined ? undefined : order.find((m) => versionKey(m.version) === wanted);
  if (found === undefined) {
    throw new StrataError('UNKNOWN_VERSION', `no migration has version ${JSON.stringify(version)}`, { version });
  }
  return found;
}

/**
 * Splits a migrate plan by deployment phase. `expand` keeps the migrations before the first that runs in the contract
 * phase, which waits with all after it: a later migration may rely on it, declared or not. `contract` keeps them all.
 * `phases` holds the phase of each planned migration, by version as written.
 *
 * @example
 * ```ts
 * const { apply, waiting } = planPhase(plan, new Map(phases.map((p) => [p.version, p])), 'expand');
 * ```
 */
export function planPhase<P extends { readonly phase: 'expand' | 'contract' }>(
  plan: readonly Migration[],
  phases: ReadonlyMap<string, P>,
  phase: 'expand' | 'contract',
): { apply: Migration[]; waiting: P[] } {
  const stop = phase === 'contract' ? -1 : plan.findIndex((m) => phases.get(m.version)?.phase !== 'expand');
  if (stop < 0) return { apply: [...plan], waiting: [] };
  const waiting = plan.slice(stop).flatMap((m) => {
    const known = phases.get(m.version);
    return known === undefined ? [] : [known];
  });
  return { apply: plan.slice(0, stop), waiting };
}
