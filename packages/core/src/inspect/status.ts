import type { Phase, PhaseChange } from '../deploy/phase.js';
import type { StrataError } from '../errors.js';
import { type Migration, VersionSet } from '../migration.js';
import type { SchemaDifference } from '../schema/diff.js';
import type { AppliedMigration } from '../validate/history.js';
import { type OutOfOrder, outOfOrder } from './out-of-order.js';

/** A migration that has not run, as status reports it; with `{ phases: true }`, with its deployment phase. */
export interface PendingMigration {
  readonly version: string;
  readonly name: string;
  /** The phase it runs in (see `MigrationPhase`). */
  readonly phase?: Phase;
  /** The phase meta.yaml declares, when it does. */
  readonly declared?: Phase;
  /** What it changes in the schema, each with the phase it needs. */
  readonly changes?: readonly PhaseChange[];
}

/** What `status` reports: applied and pending migrations, and every problem found. */
export interface StatusReport {
  /** Recorded migrations, oldest first. */
  readonly applied: readonly AppliedMigration[];
  /** Migrations not yet applied, in the order they would run. */
  readonly pending: readonly PendingMigration[];
  /** Problems with the files or the history: invalid folders, checksum mismatches, applied but missing, … */
  readonly problems: readonly StrataError[];
  /** Present when pending migrations have a lower version than the newest applied one (see {@link OutOfOrder}). */
  readonly outOfOrder?: OutOfOrder;
  /**
   * With `{ drift: true }`: how the database's schema differs from the one its applied migrations build, empty when
   * it does not; each difference is also in the `SCHEMA_DRIFT` problem. Absent when the check was not asked for, or
   * could not be made ({@link driftSkipped}).
   */
  readonly drift?: readonly SchemaDifference[];
  /** With `{ drift: true }`, when the drift check could not be made: why (a checksum mismatch, a failing replay, …). */
  readonly driftSkipped?: string;
}

/**
 * Builds the status report from the ordered migrations, the history, and the problems already found. A migration is
 * pending when no row records its version number, however either spells it.
 */
export function buildStatus(
  order: readonly Migration[],
  applied: readonly AppliedMigration[],
  problems: readonly StrataError[],
): StatusReport {
  const done = new VersionSet(applied.map((row) => row.version));
  const pending = order.filter((m) => !done.has(m.version)).map((m) => ({ version: m.version, name: m.name }));
  const late = outOfOrder(pending, applied);
  return { applied, pending, problems, ...(late === undefined ? {} : { outOfOrder: late }) };
}
