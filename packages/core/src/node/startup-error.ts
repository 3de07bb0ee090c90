import { type SerializedError, StrataError } from '../errors.js';
import { RunError, type RunReport } from '../run/report.js';

/**
 * A failure of the migrations `DatabaseManager.open` ran after it had backed the database up. It keeps the failure's
 * `code`, `version`, `file` and `cause` (and `report`, when the failure was a run's), and adds where the state before
 * the run is: the message ends with `; the database as it was before this run is in <backupFile>`, or with that
 * sentence on a line of its own when the failure's message quotes the failing statement under it.
 *
 * @example
 * ```ts
 * try {
 *   await DatabaseManager.open({ appName: 'case-crafter', driver: betterSqlite3, migrations: 'migrations' });
 * } catch (error) {
 *   if (error instanceof StartupError) console.error(`${error.code} in ${error.file}; backup: ${error.backupFile}`);
 * }
 * ```
 */
export class StartupError extends StrataError {
  override readonly name = 'StartupError';
  /** The backup taken just before the run. */
  readonly backupFile: string;
  /** What the run applied before the failure and what it did not run, when the failure was a {@link RunError}. */
  readonly report: RunReport | undefined;

  constructor(failure: StrataError, backupFile: string) {
    // After a quoted statement, "; …" would read as part of the SQL.
    const joint = failure.message.includes('\n') ? '\n' : '; ';
    super(failure.code, `${failure.message}${joint}the database as it was before this run is in ${backupFile}`, {
      version: failure.version,
      file: failure.file,
      line: failure.line,
      column: failure.column,
      cause: failure.cause ?? failure,
    });
    this.backupFile = backupFile;
    this.report = failure instanceof RunError ? failure.report : undefined;
  }

  override toJSON(): SerializedError & { readonly backupFile: string; readonly report?: RunReport } {
    return { ...super.toJSON(), backupFile: this.backupFile, ...(this.report === undefined ? {} : { report: this.report }) };
  }
}
