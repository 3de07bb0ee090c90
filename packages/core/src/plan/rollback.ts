import { StrataError } from '../errors.js';
import { type Migration, migrationFile, VersionSet } from '../migration.js';
import { findVersion } from './migrate.js';

/** Options of a rollback plan. */
export interface RollbackPlanOptions {
  /** Roll back the applied migrations that depend on the target first, instead of refusing. */
  readonly cascade?: boolean;
}

/**
 * The migrations to roll back for `version`, in the order to run their down.sql: dependents before what they depend
 * on, newest first. `applied` holds the recorded versions, matched by number (a row `001` is folder `0001`'s). Refuses
 * (throws) when the target is not applied, when applied migrations depend on it and `cascade` is off, or when a
 * migration to roll back has no down.sql.
 *
 * @example
 * ```ts
 * const plan = planRollback(checkSet(set).order, new Set(['001', '002']), '001', { cascade: true }); // 002, then 001
 * ```
 */
export function planRollback(
  order: readonly Migration[],
  applied: Iterable<string>,
  version: string,
  options: RollbackPlanOptions = {},
): Migration[] {
  const target = findVersion(order, version);
  const done = new VersionSet(applied);
  if (!done.has(target.version)) {
    throw new StrataError('NOT_APPLIED', `migration ${target.folder} is not applied, so it cannot be rolled back`, {
      version: target.version,
    });
  }
  const dependents = appliedDependents(order, done, target);
  if (dependents.length > 0 && options.cascade !== true) {
    const names = dependents.map((m) => m.folder).join(', ');
    throw new StrataError(
      'DEPENDENTS_APPLIED',
      `migration ${target.folder} cannot be rolled back while ${names} ${dependents.length === 1 ? 'depends' : 'depend'} on it; roll ${dependents.length === 1 ? 'it' : 'them'} back first or use cascade`,
      { version: target.version },
    );
  }
  // Reverse run order puts every dependent before what it depends on.
  const steps = [...dependents, target].sort((a, b) => order.indexOf(b) - order.indexOf(a));
  for (const m of steps) {
    if (m.down === undefined) {
      const why = m === target ? '' : ` (it depends on ${target.version} and would have to be rolled back first)`;
      throw new StrataError('IRREVERSIBLE', `migration ${m.folder} has no down.sql, so it cannot be rolled back${why}`, {
        version: m.version,
        file: migrationFile(m, 'down.sql'),
      });
    }
  }
  return steps;
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
