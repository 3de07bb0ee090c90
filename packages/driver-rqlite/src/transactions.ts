import { StrataError, splitStatements } from '@strata/core';

const TRANSACTION_WORDS = new Set(['begin', 'commit', 'end', 'rollback', 'savepoint', 'release']);
const FIRST_WORD = /^[A-Za-z]+/;

/**
 * Refuses a script holding a transaction statement (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`)
 * with `NOT_SUPPORTED`, before anything is sent. rqlite runs every request on one shared connection: a `BEGIN` sent
 * on its own stays open there, and every other client's statements, atomic batches included, then run inside it.
 *
 * @example
 * ```ts
 * refuseTransactionStatements('BEGIN; CREATE TABLE t (x)'); // throws StrataError NOT_SUPPORTED
 * ```
 */
export function refuseTransactionStatements(sql: string): void {
  for (const statement of splitStatements(sql)) {
    const word = FIRST_WORD.exec(statement.text)?.[0].toLowerCase();
    if (word !== undefined && TRANSACTION_WORDS.has(word))
      throw new StrataError(
        'NOT_SUPPORTED',
        `rqlite has no interactive transactions, so the statement "${statement.text.slice(0, 60)}" is refused ` +
          `(line ${statement.line}): it would stay open on the server's shared connection. Each exec, run and ` +
          'batch is applied atomically on its own.',
        { line: statement.line, column: statement.column },
      );
  }
}
