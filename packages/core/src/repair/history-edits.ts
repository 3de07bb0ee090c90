import type { BatchStatement, Driver } from '../driver.js';
import { BatchError, messageOf, StrataError } from '../errors.js';
import type { BaselineEntry } from '../plan/baseline.js';
import type { ForgetPlan } from '../plan/forget.js';
import type { RepairPlan } from '../plan/repair.js';
import type { HistoryEdit, HistoryTable } from '../run/history.js';
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
  await writeHistory(driver, history, 'repair', async () => [
    ...plan.duplicates.flatMap(({ kept, removed }) => history.removeDuplicatesEdits(kept, removed)),
    ...plan.changes.map((change) => history.restampEdit(change.version, change.oldChecksum, change.newChecksum)),
  ]);
}

/**
 * Removes the history rows of a forget plan in one write transaction. Rows another process changed since the plan was
 * made stop it, changing nothing.
 */
export async function forgetHistory(driver: Driver, history: HistoryTable, plan: ForgetPlan): Promise<void> {
  const spellings = plan.rows.map((row) => row.version);
  await writeHistory(driver, history, 'forget', async () => [history.forgetEdit(plan.version, spellings, plan.rows.length)]);
}

/**
 * Records migrations as applied without running them, creating the history table if needed, all in one write
 * transaction. A migration another process recorded since the plan was made stops the whole baseline.
 */
export async function markApplied(driver: Driver, history: HistoryTable, migrations: readonly BaselineEntry[]): Promise<void> {
  await writeHistory(
    driver,
    history,
    'baseline',
    async () => {
      const edits: HistoryEdit[] = [];
      for (const migration of migrations) {
        if (await history.has(migration.version)) throw changedMeanwhile(migration.version, 'baseline');
        edits.push(await history.markEdit(migration));
      }
      return edits;
    },
    { createsTable: true },
  );
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
  await writeHistory(driver, history, 'migrate', async () =>
    rows.map((row) => history.restampEdit(row.version, row.oldChecksum, row.newChecksum)),
  );
}

/**
 * Makes `edits` in one write transaction, or, on an engine that applies atomic batches (`Driver.batch`), in one batch
 * where a guard after each edit fails the batch when it changed another number of rows than it must. A failure of the
 * database itself becomes a `DATABASE_ERROR`; an edit that finds its row changed, the error saying so.
 */
async function writeHistory(
  driver: Driver,
  history: HistoryTable,
  what: string,
  edits: () => Promise<HistoryEdit[]>,
  options: { readonly createsTable?: boolean } = {},
): Promise<void> {
  try {
    if (driver.batch === undefined) {
      await inWriteTransaction(driver, async () => {
        if (options.createsTable === true) await history.ensure();
        for (const edit of await edits()) {
          const { changes } = await driver.run(edit.statement.sql, edit.statement.params);
          if (changes !== edit.changes) throw changedMeanwhile(edit.version, what);
          edit.done?.();
        }
      });
      return;
    }
    const planned = await edits();
    const statements: BatchStatement[] = options.createsTable === true ? [history.ensureStatement()] : [];
    const owners: (HistoryEdit | undefined)[] = statements.map(() => undefined);
    for (const edit of planned) {
      statements.push(edit.statement, history.guardStatement('changes() <> ?', [edit.changes]));
      owners.push(edit, edit);
    }
    try {
      await driver.batch(statements);
    } catch (error) {
      const edit = error instanceof BatchError ? owners[error.index] : undefined;
      if (edit === undefined) throw error;
      const message = messageOf(error);
      if (history.isGuardFailure(message) || history.isRecordedAlready(message)) throw changedMeanwhile(edit.version, what);
      throw error;
    }
    for (const edit of planned) edit.done?.();
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
