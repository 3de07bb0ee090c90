import type { Migration } from '../migration.js';
import type { FailingStep } from './failure.js';
import type { HistoryTable } from './history.js';

/** What applying or rolling back one migration is, whatever runs it: a transaction, or a batch. */
export interface StepCommon extends FailingStep {
  readonly sql: string;
  /** Whether the step is still to do; false when another process did it first. */
  readonly pending: () => Promise<boolean>;
}

/**
 * The script, file, wording and pending check of applying (`up`) or rolling back (`down`) `migration`: a failure is a
 * `MIGRATION_FAILED` or `ROLLBACK_FAILED`, or worded as `wording` says.
 *
 * @example
 * ```ts
 * stepCommon('up', migration, history).label; // 'migration 004 (add_index)'
 * ```
 */
export function stepCommon(
  direction: 'up' | 'down',
  migration: Migration,
  history: HistoryTable,
  wording?: Pick<FailingStep, 'failure' | 'scene'>,
): StepCommon {
  const name = `migration ${migration.version} (${migration.name})`;
  if (direction === 'up') {
    return {
      sql: migration.up,
      file: 'up.sql',
      failure: wording?.failure ?? 'MIGRATION_FAILED',
      scene: wording?.scene,
      label: name,
      pending: async () => !(await history.has(migration.version)),
    };
  }
  return {
    sql: migration.down ?? '',
    file: 'down.sql',
    failure: wording?.failure ?? 'ROLLBACK_FAILED',
    scene: wording?.scene,
    label: `rolling back ${name}`,
    pending: () => history.has(migration.version),
  };
}
