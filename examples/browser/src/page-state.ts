import type { AppliedMigration, DatabaseStats, PendingMigration, SerializedError, StepReport } from '@strata/core';

/** One migration the page bundled, in run order, as the page parsed it. */
export interface PlannedMigration {
  readonly version: string;
  readonly name: string;
  readonly checksum: string;
  readonly dependencies: readonly string[];
}

/** What the last button press (or the migration on load) did. */
export interface RunOutcome {
  readonly action: 'migrate' | 'rollback';
  /** The run's steps; for a failed run, what happened before the failure, the failed step, and what did not run. */
  readonly steps: readonly StepReport[];
  readonly error?: SerializedError;
}

/**
 * What the page shows, as data: `window.strata` holds it, so a test (or a curious developer in the console) reads
 * what the page knows without scraping the DOM. It is replaced, never changed in place.
 */
export interface PageState {
  /** `ready` once the page shows the outcome of its latest action; `failed` when the database could not be opened. */
  readonly phase: 'loading' | 'busy' | 'ready' | 'failed';
  /** The database's name: the IndexedDB key and the Web Lock `strata:<name>`. */
  readonly database: string;
  /** How many actions (migrate, roll back) have finished, so a test can wait for the next one. */
  readonly actions: number;
  readonly plan: readonly PlannedMigration[];
  readonly lastRun?: RunOutcome;
  readonly status?: {
    readonly applied: readonly AppliedMigration[];
    readonly pending: readonly PendingMigration[];
    readonly problems: readonly SerializedError[];
  };
  readonly stats?: DatabaseStats;
  /** Why the database could not be opened. */
  readonly error?: SerializedError;
}

declare global {
  interface Window {
    strata?: PageState;
  }
}
