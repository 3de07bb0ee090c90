import type { BatchStatement, Driver } from '../driver.js';
import { BatchError, messageOf, StrataError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { splitStatements } from '../sql/split.js';
import type { StepResult } from './apply.js';
import { now } from './clock.js';
import { type FailingStep, failureOf } from './failure.js';
import { failureLocation } from './failure-location.js';
import type { HistoryTable } from './history.js';
import type { RunEvent } from './report.js';
import { type StepCommon, stepCommon } from './step.js';

/** What a batch step adds around its script, and how it reads the failure of what it added. */
export interface BatchStep extends StepCommon {
  // `pending` is read before the batch; the batch's own guards decide for good.
  /** The history change, sent before the script; the first statement whose failure means "done already" is `claim`. */
  readonly history: () => Promise<{ readonly statements: readonly BatchStatement[]; readonly claim: number }>;
  /** Whether the failure of the claim statement says that another client did the step first. */
  readonly doneElsewhere: (message: string) => boolean;
  /** Called once the batch committed: the history table notes what changed. */
  readonly committed: () => void;
  /** A follow-up to the committed batch, such as writing the step's duration; its failure changes nothing. */
  readonly after?: (durationMs: number) => Promise<void>;
}

/**
 * Applies one migration on an engine that applies atomic batches (`Driver.batch`) as one batch: the history row
 * first, then each statement of up.sql. The row comes first so that when two clients race, the second's batch fails
 * on the history table's primary key and changes nothing, and the migration is counted as applied by the other.
 *
 * @example
 * ```ts
 * const { outcome } = await applyInBatch(driver, history, migration); // 'done', or 'skipped' when another client won
 * ```
 */
export function applyInBatch(
  driver: Driver,
  history: HistoryTable,
  migration: Migration,
  onEvent?: (event: RunEvent) => void,
  wording?: Pick<FailingStep, 'failure' | 'scene'>,
): Promise<StepResult> {
  return runBatch(driver, migration, onEvent, {
    ...stepCommon('up', migration, history, wording),
    history: async () => ({ statements: [history.ensureStatement(), await history.recordStatement(migration)], claim: 1 }),
    doneElsewhere: (message) => history.isRecordedAlready(message),
    committed: () => history.noteRecorded(migration.version),
    after: (durationMs) => history.writeDuration(migration.version, durationMs),
  });
}

/**
 * Rolls one migration back on an engine that applies atomic batches, as one batch: the removal of its history row,
 * a guard that fails the batch when there was no row to remove (another client rolled it back first), the rows of the
 * migrations a squash replaced, then each statement of down.sql.
 *
 * @example
 * ```ts
 * await rollbackInBatch(driver, history, migration);
 * ```
 */
export function rollbackInBatch(
  driver: Driver,
  history: HistoryTable,
  migration: Migration,
  onEvent?: (event: RunEvent) => void,
  wording?: Pick<FailingStep, 'failure' | 'scene'>,
): Promise<StepResult> {
  const replaced = migration.meta.replaces ?? [];
  return runBatch(driver, migration, onEvent, {
    ...stepCommon('down', migration, history, wording),
    history: async () => ({
      statements: [
        history.removeStatement(migration.version),
        history.guardStatement('changes() = 0'),
        ...replaced.map((entry) => history.removeStatement(entry.version)),
      ],
      claim: 1,
    }),
    doneElsewhere: (message) => history.isGuardFailure(message),
    committed: () => {
      history.noteRemoved(migration.version);
      for (const entry of replaced) history.noteRemoved(entry.version);
    },
  });
}

/**
 * Sends a step as one batch: its history change, then the script's statements. A statement that fails is named in
 * the error with its file, line and column, as on any other engine. `onEvent` hears a `statement` event for each
 * statement before the batch is sent.
 */
async function runBatch(
  driver: Driver,
  migration: Migration,
  onEvent: ((event: RunEvent) => void) | undefined,
  step: BatchStep,
): Promise<StepResult> {
  const batch = driver.batch?.bind(driver);
  if (batch === undefined) throw new Error(`the ${driver.name} driver applies no batches`);
  if (!migration.meta.transaction) throw notSupported(migration, driver, 'transaction: false', OUTSIDE);
  if (!(await step.pending())) return { outcome: 'skipped', durationMs: 0 };
  const script = splitStatements(step.sql);
  const head = await step.history();
  const statements = [...head.statements, ...script.map((statement) => ({ sql: statement.text }))];
  const first = head.statements.length;
  for (const index of script.keys()) onEvent?.({ type: 'statement', migration, index, total: script.length });
  const started = now();
  try {
    await batch(statements);
  } catch (error) {
    const index = error instanceof BatchError ? error.index : undefined;
    if (index === head.claim && step.doneElsewhere(messageOf(error))) return { outcome: 'skipped', durationMs: 0 };
    const statement = index === undefined ? undefined : script[index - first];
    if (index === undefined || statement === undefined) throw failureOf(migration, step, error);
    const at = await failureLocation(driver, step.sql, statement, error);
    throw failureOf(migration, step, error, { failed: { statement, index: index - first }, at });
  }
  step.committed();
  const durationMs = now() - started;
  await step.after?.(durationMs).catch(() => undefined);
  return { outcome: 'done', durationMs };
}

/**
 * Refuses, before anything of a run is applied, the migrations of `plan` that an engine applying atomic batches
 * cannot run as one: `transaction: false` ones, which must run outside a transaction; and, where the engine enforces
 * foreign keys, `foreign_keys: off` ones, since enforcement cannot be turned off inside the transaction a batch is,
 * and with it on, the `DROP TABLE` of a rebuild deletes, or cascades into, the rows that reference the table. Where
 * the engine does not enforce them (rqlite without `-fk`), a `foreign_keys: off` migration runs as any other, as on
 * any connection that does not enforce them. A driver without batches is not concerned.
 *
 * @example
 * ```ts
 * await refuseUnbatchable(driver, plan); // throws NOT_SUPPORTED naming the migration's meta.yaml
 * ```
 */
export async function refuseUnbatchable(driver: Driver, plan: readonly Migration[]): Promise<void> {
  if (driver.batch === undefined) return;
  const outside = plan.find((m) => !m.meta.transaction);
  if (outside !== undefined) throw notSupported(outside, driver, 'transaction: false', OUTSIDE);
  const rebuild = plan.find((m) => m.meta.foreignKeys === false);
  if (rebuild === undefined) return;
  const [row] = await driver.query('PRAGMA foreign_keys');
  if (Number(row?.foreign_keys ?? 0) !== 1) return;
  const why = 'whose enforcement cannot be turned off inside the transaction a batch is, while this engine enforces them';
  throw notSupported(rebuild, driver, 'foreign_keys: off', why);
}

const OUTSIDE = 'which must run outside a transaction';

/** The refusal of a migration whose meta.yaml asks what an atomic batch cannot do. */
function notSupported(migration: Migration, driver: Driver, what: string, why: string): StrataError {
  const file = migrationFile(migration, 'meta.yaml');
  return new StrataError(
    'NOT_SUPPORTED',
    `migration ${migration.version} (${migration.name}) is ${what} (${file}), ${why}; the ${driver.name} driver ` +
      'applies each migration as one atomic batch, with its history row, and cannot run it. Run it with a driver on ' +
      'the database file, or write it without that setting',
    { version: migration.version, file },
  );
}
