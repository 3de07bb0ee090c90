import type { Driver } from '../driver.js';
import type { ErrorCode } from '../errors.js';
import type { Migration } from '../migration.js';
import { splitStatements } from '../sql/split.js';
import { applyInBatch, rollbackInBatch } from './batch.js';
import { now } from './clock.js';
import { type SettingsSnapshot, snapshotSettings } from './connection-settings.js';
import { type FailedStatement, failureOf } from './failure.js';
import { failureLocation } from './failure-location.js';
import { checkForeignKeys, withForeignKeysOff } from './foreign-keys.js';
import type { HistoryTable } from './history.js';
import { OwnTransactions } from './own-transactions.js';
import type { RunEvent } from './report.js';
import { type StepCommon, stepCommon } from './step.js';
import { inWriteTransaction } from './transaction.js';

/**
 * How a step that does not run on the database itself words its failure: its code, and where it ran
 * (`on the in-memory replay`), said in place of what the failure left behind.
 */
export interface StepWording {
  readonly failure: ErrorCode;
  readonly scene: string;
}

/** What became of one step: done, or found already done by another process and skipped. */
export interface StepResult {
  readonly outcome: 'done' | 'skipped';
  readonly durationMs: number;
}

/**
 * Applies one migration: its up.sql and its history row in one write transaction, so a failure leaves the database
 * exactly as before it; on an engine that applies atomic batches (`Driver.batch`), in one batch (see
 * {@link applyInBatch}). A migration another process applied meanwhile is skipped. `onEvent` hears a `statement`
 * event before each statement. A failure is a `MIGRATION_FAILED`, or worded as `wording` says.
 */
export function applyMigration(
  driver: Driver,
  history: HistoryTable,
  migration: Migration,
  onEvent?: (event: RunEvent) => void,
  wording?: StepWording,
): Promise<StepResult> {
  if (driver.batch !== undefined) return applyInBatch(driver, history, migration, onEvent, wording);
  return runStep(driver, migration, onEvent, {
    ...stepCommon('up', migration, history, wording),
    record: (durationMs) => history.record(migration, durationMs),
  });
}

/**
 * Rolls one migration back: its down.sql and the removal of its history row in one write transaction, or one batch
 * (see {@link rollbackInBatch}). The caller
 * has checked that it has a down.sql and that nothing applied depends on it; a migration another process rolled back
 * meanwhile is skipped. A failure is a `ROLLBACK_FAILED`, or worded as `wording` says.
 */
export function rollbackMigration(
  driver: Driver,
  history: HistoryTable,
  migration: Migration,
  onEvent?: (event: RunEvent) => void,
  wording?: StepWording,
): Promise<StepResult> {
  if (driver.batch !== undefined) return rollbackInBatch(driver, history, migration, onEvent, wording);
  return runStep(driver, migration, onEvent, {
    ...stepCommon('down', migration, history, wording),
    record: async () => {
      await history.remove(migration.version);
      // A squash applied on a database that ran its originals leaves their rows too: its down.sql undid them all.
      for (const entry of migration.meta.replaces ?? []) await history.remove(entry.version);
    },
  });
}

/** A step in a write transaction, whose `pending` is read inside the write lock. */
interface Step extends StepCommon {
  readonly record: (durationMs: number) => Promise<void>;
}

/**
 * Runs a script, one statement at a time so a failure can name its statement, and its history change. Transactional
 * steps hold the write lock from the check to the record, so what they read is what they write against; with
 * `foreign_keys: off`, enforcement is off around that transaction and the foreign keys are checked before it commits.
 * A `transaction: false` migration runs its script outside any transaction and records afterwards; it cannot be
 * atomic, which is why it is the documented exception. It may open and end transactions of its own: one it leaves
 * open, by failing or by a missing `COMMIT`, is rolled back. After any failure, the connection settings a `PRAGMA` of
 * the script changed are set back, so the connection is left as the application configured it.
 */
async function runStep(
  driver: Driver,
  migration: Migration,
  onEvent: ((event: RunEvent) => void) | undefined,
  step: Step,
): Promise<StepResult> {
  const statements = splitStatements(step.sql);
  const total = statements.length;
  const started = now();
  const own = migration.meta.transaction ? undefined : new OwnTransactions(driver);
  let failed: FailedStatement | undefined;
  const body = async (checkKeys: boolean): Promise<StepResult> => {
    if (!(await step.pending())) return { outcome: 'skipped', durationMs: 0 };
    for (const [index, statement] of statements.entries()) {
      onEvent?.({ type: 'statement', migration, index, total });
      failed = { statement, index };
      await driver.exec(statement.text);
      own?.ran(statement, index);
    }
    // A transaction the script left open is its failure, at the statement that opened it.
    failed = own?.open;
    if (failed !== undefined) throw new Error(`the transaction was still open at the end of ${step.file}; end it with COMMIT`);
    if (checkKeys) await checkForeignKeys(driver);
    const durationMs = now() - started;
    if (migration.meta.transaction) await step.record(durationMs);
    else await inWriteTransaction(driver, () => step.record(durationMs));
    return { outcome: 'done', durationMs };
  };
  let settings: SettingsSnapshot | undefined;
  try {
    settings = await snapshotSettings(driver, statements);
    if (!migration.meta.transaction) return await body(false);
    if (migration.meta.foreignKeys === false) {
      return await withForeignKeysOff(driver, (wasOn) => inWriteTransaction(driver, () => body(wasOn)));
    }
    return await inWriteTransaction(driver, () => body(false));
  } catch (error) {
    // In this order: PRAGMA foreign_keys does nothing while a transaction is open.
    const rolledBack = await own?.rollBack(failed);
    const restored = (await settings?.restore()) ?? [];
    const at = failed === undefined ? undefined : await failureLocation(driver, step.sql, failed.statement, error);
    throw failureOf(migration, step, error, { failed, rolledBack, restored, at });
  }
}
