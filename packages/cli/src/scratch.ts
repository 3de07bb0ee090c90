import { type Driver, noScratchDatabase } from '@strata/core';
import { UsageError } from './usage-error.js';

/**
 * Whether `driver` can replay migrations: it opens a scratch database of its engine (`Driver.scratch`). Without one
 * (rqlite), `status` and `validate` leave out what needs a replay: drift, phases, the replay itself.
 *
 * @example
 * ```ts
 * if (!canReplay(driver)) report = await manager.status({ drift: false });
 * ```
 */
export function canReplay(driver: Pick<Driver, 'scratch'>): boolean {
  return driver.scratch !== undefined;
}

/**
 * Refuses, as a usage error, an option the user gave that only a replay answers (`--round-trip`, `--phases`), on a
 * driver without a scratch database, rather than answering it with nothing.
 *
 * @example
 * ```ts
 * refuseReplayOption(driver, '--round-trip', 'validate'); // throws with --driver rqlite
 * ```
 */
export function refuseReplayOption(driver: Pick<Driver, 'name' | 'scratch'>, option: string, command: string): void {
  if (canReplay(driver)) return;
  throw new UsageError(`${option} needs the migrations replayed, and ${noScratchDatabase(driver)}: leave ${option} out`, command);
}
