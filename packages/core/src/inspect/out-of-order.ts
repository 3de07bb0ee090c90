import { compareVersions } from '../migration.js';
import { summarize } from '../summary.js';

/**
 * Pending migrations whose version is lower than the newest applied one, as after merging a branch whose migrations
 * were numbered before the trunk's: they still run, in dependency order, but a reader of the history should know.
 */
export interface OutOfOrder {
  /** The highest version the history records. */
  readonly newestApplied: string;
  /** The pending versions below it, in run order. */
  readonly versions: readonly string[];
}

/**
 * The pending versions lower than the newest applied one, or undefined when there are none.
 *
 * @example
 * ```ts
 * outOfOrder([{ version: '003' }], [{ version: '20261203154500' }]); // { newestApplied: '20261203154500', versions: ['003'] }
 * ```
 */
export function outOfOrder(
  pending: readonly { readonly version: string }[],
  applied: readonly { readonly version: string }[],
): OutOfOrder | undefined {
  const newestApplied = applied.reduce<string | undefined>(
    (max, { version }) => (max === undefined || compareVersions(version, max) > 0 ? version : max),
    undefined,
  );
  if (newestApplied === undefined) return undefined;
  const versions = pending.map((m) => m.version).filter((v) => compareVersions(v, newestApplied) < 0);
  return versions.length === 0 ? undefined : { newestApplied, versions };
}

/**
 * The sentence that points out-of-order migrations out, for text reports.
 *
 * @example
 * ```ts
 * outOfOrderNote({ newestApplied: '005', versions: ['004'] }, 'pending'); // '004 is pending with a lower version than …'
 * ```
 */
export function outOfOrderNote(found: OutOfOrder, what: string): string {
  const one = found.versions.length === 1;
  return `${summarize(found.versions)} ${one ? 'is' : 'are'} ${what} with a lower version than the newest applied migration, ${found.newestApplied}; ${one ? 'it runs' : 'they run'} in dependency order all the same`;
}
