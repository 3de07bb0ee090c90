import { StrataError } from '../errors.js';
import { type Migration, versionNumber } from '../migration.js';

/** Options of a migrate plan. */
export interface MigratePlanOptions {
  /** Stop after this version: apply the pending migrations that come before it in run order, and it. */
  readonly to?: string;
}

/**
 * The migrations to apply, in run order: every pending one, or with `to` those up to and including that version.
 * Decides only; nothing is executed.
 */
export function planMigrate(
  order: readonly Migration[],
  applied: ReadonlySet<string>,
  options: MigratePlanOptions = {},
): Migration[] {
  let end = order.length;
  if (options.to !== undefined) {
    const target = findVersion(order, options.to);
    end = order.indexOf(target) + 1;
  }
  return order.slice(0, end).filter((m) => !applied.has(m.version));
}

/** The migration with this version, matched by number so `2`, `02` and `002` agree. */
export function findVersion(order: readonly Migration[], version: string): Migration {
  const wanted = /^\d+$/.test(version) ? versionNumber(version) : undefined;
  const found = wanted === undefined ? undefined : order.find((m) => versionNumber(m.version) === wanted);
  if (found === undefined) {
    throw new StrataError('UNKNOWN_VERSION', `no migration has version ${JSON.stringify(version)}`, { version });
  }
  return found;
}
