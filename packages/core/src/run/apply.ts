import type { Driver } from '../driver.js';
import { type ErrorCode, messageOf, StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import type { HistoryTable } from './history.js';
import { inWriteTransaction } from './transaction.js';

/** What became of one step: done, or found already done by another process and skipped. */
export interface StepResult {
  readonly outcome: 'done' | 'skipped';
  readonly durationMs: number;
}

// Core's lib has no DOM or Node types; both platforms have a high-resolution `performance.now()`.
const clock = (globalThis as { performance?: { now(): number } }).performance;
const now = (): number => clock?.now() ?? Date.now();

/**
 * Applies one migration: its up.sql and its history row in one write transaction, so a failure leaves the database
 * exactly as before it. A migration another process applied meanwhile is skipped.
 */
export function applyMigration(driver: Driver, history: HistoryTable, migration: Migration): Promise<StepResult> {
  return runStep(driver, migration, {
    sql: migration.up,
    file: 'up.sql',
    failure: 'MIGRATION_FAILED',
    label: `migration ${migration.version} (${migration.name})`,
    pending: async () => !(await history.has(migration.version)),
    record: (durationMs) => history.record(migration, durationMs),
  });
}

/**
 * Rolls one migration back: its down.sql and the removal of its history row in one write transaction. The caller
 * has checked that it has a down.sql and that nothing applied depends on it; a migration another process rolled back
 * meanwhile is skipped.
 */
export function revertMigration(driver: Driver, history: HistoryTable, migration: Migration): Promise<StepResult> {
  return runStep(driver, migration, {
    sql: migration.down ?? '',
    file: 'down.sql',
    failure: 'ROLLBACK_FAILED',
    label: `rolling back migration ${migration.version} (${migration.name})`,
    pending: () => history.has(migration.version),
    record: () => history.remove(migration.version),
  });
}

interface Step {
  readonly sql: string;
  readonly file: string;
  readonly failure: ErrorCode;
  readonly label: string;
  /** Read inside the write lock: false when another process got there first. */
  readonly pending: () => Promise<boolean>;
  readonly record: (durationMs: number) => Promise<void>;
}

/**
 * Runs a script and its history change. Transactional steps hold the write lock from the check to the record, so
 * what they read is what they write against. A `transaction: false` migration runs its script outside any
 * transaction and records afterwards; it cannot be atomic, which is why it is the documented exception.
 */
async function runStep(driver: Driver, migration: Migration, step: Step): Promise<StepResult> {
  const started = now();
  const body = async (): Promise<StepResult> => {
    if (!(await step.pending())) return { outcome: 'skipped', durationMs: 0 };
    await driver.exec(step.sql);
    const durationMs = now() - started;
    if (migration.meta.transaction) await step.record(durationMs);
    else await inWriteTransaction(driver, () => step.record(durationMs));
    return { outcome: 'done', durationMs };
  };
  try {
    return migration.meta.transaction ? await inWriteTransaction(driver, body) : await body();
  } catch (error) {
    const what = migration.meta.transaction
      ? 'failed, and the database was left as before it'
      : 'failed outside a transaction (transaction: false), so statements before the failing one may have taken effect';
    throw new StrataError(step.failure, `${step.label} ${what}: ${messageOf(error)}`, {
      version: migration.version,
      file: `${migration.folder}/${step.file}`,
      cause: error,
    });
  }
}
