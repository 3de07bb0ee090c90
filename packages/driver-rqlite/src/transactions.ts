import { StrataError, splitStatements } from '@strata/core';

const TRANSACTION_WORDS = new Set(['begin', 'commit', 'end', 'rollback', 'savepoint', 'release']);
const FIRST_WORD = /^[A-Za-z]+/;
const FOREIGN_KEYS = /^pragma\s+(?:(?:main|"main")\s*\.\s*)?foreign_keys\s*=/i;

/**
 * Refuses a script holding a transaction statement (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`, `RELEASE`)
 * with `NOT_SUPPORTED`, before anything is sent. rqlite runs every request on one shared connection: a `BEGIN` sent
 * on its own stays open there, and every other client's statements, atomic batches included, then run inside it.
 * A `PRAGMA foreign_keys = …` is refused too: each request is a transaction, inside which SQLite ignores it, and
 * enforcement is the node's `-fk` flag.
 *
 * @example
 * ```ts
 * refuseTransactionStatements('BEGIN; CREATE TABLE t (x)'); // throws StrataError NOT_SUPPORTED
 * ```
 */
export function refuseUnsafeStatements(sql: string): void {
  for (const statement of splitStatements(sql)) {
    if (FOREIGN_KEYS.test(statement.text))
      throw new StrataError(
        'NOT_SUPPORTED',
        `rqlite enforces foreign keys as its node was started (with -fk or without), so "${statement.text.slice(0, 60)}" ` +
          `is refused (line ${statement.line}): inside the transaction each request is, SQLite would ignore it.`,
        { line: statement.line, column: statement.column },
      );
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
