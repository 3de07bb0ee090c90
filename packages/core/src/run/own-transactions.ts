import type { Driver } from '../driver.js';
import type { Statement } from '../sql/split.js';
import type { FailedStatement } from './failure.js';

/**
 * Follows the transactions a `transaction: false` script opens and ends itself (`BEGIN` … `COMMIT`, as scripts
 * written for tools that run SQL as it is do), so that a failure can be cleaned up and told truthfully. A statement
 * that runs while the connection is in autocommit mode commits as it ends; one that runs inside the script's own
 * open transaction commits only with that transaction. So when the script fails with a transaction open, what stays
 * is exactly what ran before the statement that opened it.
 *
 * @example
 * ```ts
 * const own = new OwnTransactions(driver);
 * for (const [index, statement] of statements.entries()) {
 *   await driver.exec(statement.text);
 *   own.ran(statement, index);
 * }
 * ```
 */
export class OwnTransactions {
  /** The statement that opened the transaction open now, with how many statements ran before it. */
  private opener: FailedStatement | undefined;

  constructor(private readonly driver: Driver) {}

  /** The statement that opened a transaction that is still open: at the end of a script, a missing `COMMIT`. */
  get open(): FailedStatement | undefined {
    return this.opener;
  }

  /** Notes whether the statement that just ran (the `index`-th) left a transaction open. */
  ran(statement: Statement, index: number): void {
    if (!this.driver.inTransaction()) this.opener = undefined;
    else this.opener ??= { statement, index };
  }

  /**
   * After a failure: rolls back the transaction the script left open, and returns the statement that opened the one
   * that is now undone, whether by this rollback or by SQLite itself (an `INSERT OR ROLLBACK` conflict, a full disk).
   * `failed` is the statement that failed, the opener when SQLite reports a transaction this script never saw open.
   */
  async rollBack(failed: FailedStatement | undefined): Promise<FailedStatement | undefined> {
    if (!this.driver.inTransaction()) return this.opener;
    await this.driver.exec('ROLLBACK');
    return this.opener ?? failed;
  }
}
