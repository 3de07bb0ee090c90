import type { MigrationPhase } from '../deploy/classify.js';
import type { Phase } from '../deploy/phase.js';
import { type SerializedError, StrataError } from '../errors.js';
import type { OutOfOrder } from '../inspect/out-of-order.js';
import type { Migration } from '../migration.js';

/**
 * What became of one migration in a run: `applied` or `rolled-back` when it ran, `skipped` when another process had
 * already done it, `planned` in a dry run, `failed`, or `not-run` when an earlier one failed.
 */
export type StepStatus = 'applied' | 'rolled-back' | 'skipped' | 'planned' | 'failed' | 'not-run';

/** One migration's line in a {@link RunReport}. */
export interface StepReport {
  readonly version: string;
  readonly name: string;
  readonly folder: string;
  readonly status: StepStatus;
  /** How long it took, for steps that ran. */
  readonly durationMs?: number;
  /** The SQL that would run, in a dry run. */
  readonly sql?: string;
}

/** The result of `migrate` or `rollback`: one entry per migration in the plan, in the order of the plan. */
export interface RunReport {
  readonly direction: 'up' | 'down';
  readonly dryRun: boolean;
  readonly steps: readonly StepReport[];
  /** Present when a migrate run applies (or would) migrations with a lower version than the newest applied one. */
  readonly outOfOrder?: OutOfOrder;
  /** The deployment phase the run was asked for (`migrate({ phase })`). */
  readonly phase?: Phase;
  /**
   * Of a run in the expand phase: the pending migrations held back for the contract phase, in run order, each with its
   * phase and changes (the first is the one that needs the contract phase). Empty when none waits.
   */
  readonly waiting?: readonly MigrationPhase[];
}

/** Something that happened during a run, for progress displays. */
export type RunEvent =
  | {
      readonly type: 'start';
      readonly direction: 'up' | 'down';
      readonly migration: Migration;
      readonly index: number;
      readonly total: number;
    }
  | {
      /**
       * Sent before each statement of a migration's up.sql (or down.sql) runs: `index` is the statement's, from 0, of
       * `total` in the file. Statements run synchronously underneath, so a display can only redraw between them.
       */
      readonly type: 'statement';
      readonly migration: Migration;
      readonly index: number;
      readonly total: number;
    }
  | { readonly type: 'finish'; readonly step: StepReport; readonly index: number; readonly total: number };

/** A run that stopped at a failed migration. `report` says what was applied before it and what did not run. */
export class RunError extends StrataError {
  override readonly name = 'RunError';
  readonly report: RunReport;

  constructor(failure: StrataError, report: RunReport) {
    const { version, file, line, column, cause } = failure;
    super(failure.code, failure.message, { version, file, line, column, cause });
    this.report = report;
  }

  override toJSON(): SerializedError & { readonly report: RunReport } {
    return { ...super.toJSON(), report: this.report };
  }
}

/** A report line for `migration` with `status`. */
export function stepOf(migration: Migration, status: StepStatus, extra: Partial<StepReport> = {}): StepReport {
  return { version: migration.version, name: migration.name, folder: migration.folder, status, ...extra };
}
