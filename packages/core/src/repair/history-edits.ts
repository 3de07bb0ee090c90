import type { Driver } from '../driver.js';
import { messageOf, StrataError } from '../errors.js';
import type { BaselineEntry } from '../plan/baseline.js';
import type { ForgetPlan } from '../plan/forget.js';
import type { RepairPlan } from '../plan/repair.js';
import type { HistoryTable } from '../run/history.js';
import { inWriteTransaction } from '../run/transaction.js';

/**
 * Carries out a repair plan in one write transaction, either every change or none: first the rows that repeat a
 * version are removed (the oldest of each version stays), then checksums are re-recorded. A row another process
 * changed since the plan was made stops the whole repair.
 */
export async function repairHistory(
  driver: Driver,
  history: HistoryTable,
  plan: Pick<RepairPlan, 'changes' | 'duplicates'>,
): Promise<void> {
  await writeHistory(driver, 'repair', async () => {
    for (const { kept, removed } of plan.duplicates) {
      if ((await history.removeDuplicates(kept, removed)) !== removed.length) throw changedMeanwhile(kept.version, 'repair');
    }
    for (const change of plan.changes) {
      if (!(await history.restamp(change.version, change.oldChecksum, change.newChecksum))) {
        throw changedMeanwhile(change.version, 'repair');
      }
    }
  });
}

/**
 * Removes the history rows of a forget plan in one write transaction. Rows another process changed since the plan was
 * made stop it, changing nothing.
 */
export async function forgetHistory(driver: Driver, history: HistoryTable, plan: ForgetPlan): Promise<void> {
  await writeHistory(driver, 'forget', async () => {
    if ((await history.forget(plan.rows.map((row) => row.version))) !== plan.rows.length) {
      throw changedMeanwhile(plan.version, 'forget');
    }
  });
}

/**
 * Records migrations as applied without running them, creating the history table if needed, all in one write
 * transaction. A migration another process recorded since the plan was made stops the whole baseline.
 */
export async function markApplied(driver: Driver, history: HistoryTable, migrations: readonly BaselineEntry[]): Promise<void> {
  await writeHistory(driver, 'baseline', async () => {
    for (const migration of migrations) {
      if (await history.has(migration.version)) throw changedMeanwhile(migration.version, 'baseline');
      await history.record(migration);
    }
  });
}

/**
 * Records, in the history row of each squash's own version, the squash's checksum instead of that of the migration it
 * replaced: the database ran the originals and its schema was found to be the squash's, so the check is not made
 * again (see `Squash`). One write transaction; a row another process changed meanwhile stops it, changing nothing.
 */
export async function adoptSquashes(
  driver: Driver,
  history: HistoryTable,
  rows: readonly { readonly version: string; readonly oldChecksum: string; readonly newChecksum: string }[],
): Promise<void> {
  await writeHistory(driver, 'migrate', async () => {
    for (const row of rows) {
      if (!(await history.restamp(row.version, row.oldChecksum, row.newChecksum))) throw changedMeanwhile(row.version, 'migrate');
    }
  });
}

/** Runs `work` in one write transaction; a failure of the database itself becomes a `DATABASE_ERROR`. */
async function writeHistory(driver: Driver, what: string, work: () => Promise<void>): Promise<void> {
  try {
    await inWriteTransaction(driver, work);
  } catch (error) {
    if (error instanceof StrataError) throw error;
    throw new StrataError('DATABASE_ERROR', `${what} could not write the history, and changed nothing: ${messageOf(error)}`, {
      cause: error,
    });
  }
}

function changedMeanwhile(version: string, what: string): StrataError {
  return new StrataError(
    'DATABASE_ERROR',
    `the history row of ${version} changed while ${what} was running (another process?); nothing was changed, run it again`,
    { version },
  );
}
