import { type ErrorCode, messageOf, StrataError } from '../errors.js';
import { type Migration, type MigrationFileName, migrationFile } from '../migration.js';
import type { Statement } from '../sql/split.js';
import type { FilePosition } from './failure-location.js';

/** Which file of a migration ran, and how to word its failure. */
export interface FailingStep {
  readonly file: Extract<MigrationFileName, 'up.sql' | 'down.sql'>;
  readonly failure: ErrorCode;
  /** How the message starts: `migration 004 (add_index)`. */
  readonly label: string;
  /**
   * Where the step ran when that was not the database itself (`on the in-memory replay`): said after `failed`, in
   * place of what the failure left behind, which concerns no one there.
   */
  readonly scene?: string | undefined;
}

/** A statement of a script, and how many statements before it had run. */
export interface FailedStatement {
  readonly statement: Statement;
  readonly index: number;
}

/** What a failed step left behind, as found, and set right, after the failure. */
export interface Aftermath {
  /** The statement that failed. */
  readonly failed?: FailedStatement | undefined;
  /**
   * In a `transaction: false` script, the statement that opened a transaction of the script's own that the failure
   * rolled back: what ran before it stays, what ran after it does not.
   */
  readonly rolledBack?: FailedStatement | undefined;
  /** The connection settings the script had changed and that were set back as they were before it. */
  readonly restored?: readonly string[];
  /** Where in the file the statement failed, when SQLite's message names a token of it; its start otherwise. */
  readonly at?: FilePosition | undefined;
}

/** At most this many lines of the failing statement are quoted, each cut at this many characters. */
const QUOTED_LINES = 5;
const QUOTED_WIDTH = 160;

/**
 * The error for a step that failed: `failure` as its code (`LOCK_TIMEOUT` when that is what the driver reported: the
 * step waited too long for another connection's lock), the file, and, when a statement failed, the line and column of
 * the token SQLite's message names (`failureLocation`), or of the statement, in the message and as fields, and
 * the statement itself quoted under the message. The message says what the failure left behind, which depends on
 * whether the migration ran in a transaction, and, if not, on whether it had opened one of its own; or, for a step
 * that ran elsewhere, where (`scene`).
 *
 * @example
 * ```ts
 * failureOf(migration, { file: 'up.sql', failure: 'MIGRATION_FAILED', label: 'migration 004 (add_index)' }, error, { failed }).message;
 * // 'migration 004 (add_index) failed at 004_add_index/up.sql:12:23, and the database was left as before it: no such table: main.nope\n'
 * // + '  CREATE INDEX idx ON nope(x)'
 * ```
 */
export function failureOf(migration: Migration, step: FailingStep, error: unknown, aftermath: Aftermath = {}): StrataError {
  const { failed } = aftermath;
  const file = migrationFile(migration, step.file);
  const position = aftermath.at ?? failed?.statement;
  const where = position === undefined ? {} : { line: position.line, column: position.column };
  const at = position === undefined ? '' : ` at ${file}:${position.line}:${position.column}`;
  const quoted = failed === undefined ? '' : `\n${quote(failed.statement.text)}`;
  const left =
    step.scene === undefined
      ? `${leftBehind(migration.meta.transaction, aftermath)}${settingsClause(aftermath.restored ?? [])}`
      : '';
  const scene = step.scene === undefined ? '' : ` ${step.scene}`;
  const message = `${step.label} failed${scene}${at}${left}: ${messageOf(error)}${quoted}`;
  // Waiting for another connection's lock is not the migration's fault: the code says what to do about it.
  const code = error instanceof StrataError && error.code === 'LOCK_TIMEOUT' ? error.code : step.failure;
  return new StrataError(code, message, { version: migration.version, file, ...where, cause: error });
}

/**
 * What the failure left: nothing in a transaction; outside one, every statement before the failing one, or, when the
 * script's own transaction was rolled back, every statement before the one that opened it.
 */
function leftBehind(transactional: boolean, { failed, rolledBack }: Aftermath): string {
  if (transactional) return ', and the database was left as before it';
  if (rolledBack !== undefined) {
    const rolled = ` (transaction: false): the transaction it opened at line ${rolledBack.statement.line} was rolled back, and`;
    const ran = rolledBack.index;
    if (ran === 0) return `${rolled} none of its statements stay applied`;
    if (ran === 1) return `${rolled} the statement before that took effect and stays applied`;
    return `${rolled} the ${ran} statements before that took effect and stay applied`;
  }
  const outside = ' outside a transaction (transaction: false)';
  if (failed === undefined) return `${outside}, so statements before the failing one may have taken effect`;
  if (failed.index === 0) return `${outside}, before any of its statements took effect`;
  if (failed.index === 1) return `${outside}, after the statement before it took effect, which stays applied`;
  return `${outside}, after the ${failed.index} statements before it took effect, which stay applied`;
}

/** `, with foreign_keys and query_only set back as they were`, or nothing when no setting was set back. */
function settingsClause(restored: readonly string[]): string {
  if (restored.length === 0) return '';
  if (restored.length === 1) return `, with ${restored[0]} set back as it was`;
  return `, with ${restored.slice(0, -1).join(', ')} and ${restored.at(-1)} set back as they were`;
}

/** The statement under the message, indented, cut short when it is long. */
function quote(text: string): string {
  const lines = text.split(/\r\n|\r|\n/);
  const shown = lines.slice(0, QUOTED_LINES).map((line) => {
    const trimmed = line.trimEnd();
    return `  ${trimmed.length > QUOTED_WIDTH ? `${trimmed.slice(0, QUOTED_WIDTH)}…` : trimmed}`;
  });
  if (lines.length > QUOTED_LINES) shown.push('  …');
  return shown.join('\n');
}
