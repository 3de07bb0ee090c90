import { StrataError } from '../errors.js';
import { type Migration, VersionSet } from '../migration.js';
import { summarize } from '../summary.js';
import { irreversible, reversibility } from '../validate/reversible.js';
import { findVersion } from './migrate.js';

/**
 * What to roll back: one version (`'003'` or `{ version: '003' }`), the `steps` most recently applied migrations, or
 * every applied migration that comes after version `to` in run order (`to` itself stays applied).
 *
 * @example
 * ```ts
 * const targets: RollbackTarget[] = ['003', { steps: 1 }, { steps: 3 }, { to: '001' }];
 * ```
 */
export type RollbackTarget = string | { readonly version: string } | { readonly steps: number } | { readonly to: string };

/** Options of a rollback plan. */
export interface RollbackPlanOptions {
  /** Roll back the applied migrations that depend on the targets first, instead of refusing. */
  readonly cascade?: boolean;
}

/**
 * The migrations to roll back for `target`, in the order to run their down.sql: dependents before what they depend
 * on, newest first. `applied` holds the recorded versions, oldest first as the history lists them, matched by number
 * (a row `001` is folder `0001`'s). Refuses (throws) when a version is not applied, when other applied migrations
 * depend on the targets and `cascade` is off, or when a migration to roll back is irreversible (no down.sql, or one
 * without a statement).
 *
 * @example
 * ```ts
 * const plan = planRollback(checkSet(set).order, ['001', '002'], '001', { cascade: true }); // 002, then 001
 * const last = planRollback(checkSet(set).order, ['001', '002'], { steps: 1 }); // 002
 * ```
 */
export function planRollback(
  order: readonly Migration[],
  applied: Iterable<string>,
  target: RollbackTarget,
  options: RollbackPlanOptions = {},
): Migration[] {
  const recorded = [...applied];
  const done = new VersionSet(recorded);
  const targets = targetsOf(order, recorded, done, target);
  const chosen = new Set(targets);
  const dependents = targets.flatMap((t) => appliedDependents(order, done, t)).filter((m) => !chosen.has(m));
  const extra = [...new Set(dependents)];
  if (extra.length > 0 && options.cascade !== true) {
    const what =
      targets.length === 1 ? `migration ${targets[0]?.folder}` : `migrations ${summarize(targets.map((m) => m.folder))}`;
    const names = summarize(extra.map((m) => m.folder));
    throw new StrataError(
      'DEPENDENTS_APPLIED',
      `${what} cannot be rolled back while ${names} ${extra.length === 1 ? 'depends' : 'depend'} on ${targets.length === 1 ? 'it' : 'them'}; roll ${extra.length === 1 ? 'it' : 'them'} back first or use cascade`,
      { version: targets[0]?.version },
    );
  }
  // Reverse run order puts every dependent before what it depends on.
  const steps = [...targets, ...extra].sort((a, b) => order.indexOf(b) - order.indexOf(a));
  for (const m of steps) {
    if (reversibility(m) !== 'reversible') {
      throw irreversible(
        m,
        chosen.has(m) ? '' : ' (it depends on a migration being rolled back, so it would have to be rolled back first)',
      );
    }
  }
  return steps;
}

/** The migrations `target` names, each applied; refuses a version that is not. */
function targetsOf(
  order: readonly Migration[],
  recorded: readonly string[],
  done: VersionSet,
  target: RollbackTarget,
): Migration[] {
  if (typeof target === 'string' || 'version' in target) {
    const found = findVersion(order, typeof target === 'string' ? target : target.version);
    if (!done.has(found.version)) {
      throw new StrataError('NOT_APPLIED', `migration ${found.folder} is not applied, so it cannot be rolled back`, {
        version: found.version,
      });
    }
    return [found];
  }
  if ('to' in target) {
    const after = order.indexOf(findVersion(order, target.to)) + 1;
    return order.slice(after).filter((m) => done.has(m.version));
  }
  const { steps } = target;
  if (!Number.isSafeInteger(steps) || steps < 1) {
    throw new StrataError(
      'INVALID_OPTION',
      `the number of migrations to roll back must be a whole number of at least 1, not ${steps}`,
    );
  }
  if (steps > recorded.length) {
    const what = steps === 1 ? 'the last migration' : `the last ${steps} migrations`;
    const count = recorded.length;
    const why = count === 0 ? 'none is applied' : `only ${count} ${count === 1 ? 'is' : 'are'} applied`;
    throw new StrataError('NOT_APPLIED', `cannot roll back ${what}: ${why}`);
  }
  return recorded.slice(-steps).map((version) => findVersion(order, version));
}

/** Applied migrations that depend on `target`, directly or through others. */
export function appliedDependents(order: readonly Migration[], applied: VersionSet, target: Migration): Migration[] {
  const reached = new Set([target.version]);
  const found: Migration[] = [];
  // Run order lists dependencies before dependents, so one pass sees every chain.
  for (const m of order.slice(order.indexOf(target) + 1)) {
    if (m.meta.dependencies.some((d) => reached.has(d))) {
      reached.add(m.version);
      if (applied.has(m.version)) found.push(m);
    }
  }
  return found;
}
