import { type ErrorCode, messageOf, StrataError } from '../errors.js';
import type { Migration } from '../migration.js';
import type { Statement } from '../sql/split.js';

/** Which file of a migration ran, and how to word its failure. */
export interface FailingStep {
  /** `up.sql` or `down.sql`. */
  readonly file: string;
  readonly failure: ErrorCode;
  /** How the message starts: `migration 004 (add_index)`. */
  readonly label: string;
}

/** The statement that failed, and how many statements before it had run. */
export interface FailedStatement {
  readonly statement: Statement;
  readonly index: number;
}

/** At most this many lines of the failing statement are quoted, each cut at this many characters. */
const QUOTED_LINES = 5;
const QUOTED_WIDTH = 160;

/**
 * The error for a step that failed: `failure` as its code, the file, and, when a statement failed, its line and
 * column, in the message and as fields, and the statement itself quoted under the message. The message says what the
 * failure left behind, which depends on whether the migration ran in a transaction.
 *
 * @example
 * ```ts
 * failureOf(migration, { file: 'up.sql', failure: 'MIGRATION_FAILED', label: 'migration 004 (add_index)' }, error, failed).message;
 * // 'migration 004 (add_index) failed at 004_add_index/up.sql:12:3, and the database was left as before it: no such table: nope\n'
 * // + '  CREATE INDEX idx ON nope(x)'
 * ```
 */
export function failureOf(migration: Migration, step: FailingStep, error: unknown, failed?: FailedStatement): StrataError {
  const file = `${migration.folder}/${step.file}`;
  const where = failed === undefined ? {} : { line: failed.statement.line, column: failed.statement.column };
  const at = failed === undefined ? '' : ` at ${file}:${failed.statement.line}:${failed.statement.column}`;
  const quoted = failed === undefined ? '' : `\n${quote(failed.statement.text)}`;
  const message = `${step.label} failed${at}${aftermath(migration.meta.transaction, failed?.index)}: ${messageOf(error)}${quoted}`;
  return new StrataError(step.failure, message, { version: migration.version, file, ...where, cause: error });
}

/** What the failure left: nothing in a transaction; outside one, every statement before the failing one. */
function aftermath(transactional: boolean, ran: number | undefined): string {
  if (transactional) return ', and the database was left as before it';
  const outside = ' outside a transaction (transaction: false)';
  if (ran === undefined) return `${outside}, so statements before the failing one may have taken effect`;
  if (ran === 0) return `${outside}, before any of its statements took effect`;
  const before = ran === 1 ? 'the statement' : `the ${ran} statements`;
  return `${outside}, after ${before} before it took effect, which stay applied`;
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
