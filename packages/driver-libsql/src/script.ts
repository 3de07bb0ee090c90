import { StrataError, splitStatements } from '@strata/core';

const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'end', 'rollback', 'savepoint', 'release']);

/**
 * Refuses a script that holds a transaction statement (`BEGIN`, `COMMIT`, `END`, `ROLLBACK`, `SAVEPOINT`,
 * `RELEASE`) with `NOT_SUPPORTED`: the client may run each call on another pooled connection, or over a stream the
 * server closes between calls, so a `BEGIN` would silently open nothing and what follows it would commit at once.
 * Returns how many statements the script holds.
 *
 * @example
 * ```ts
 * if (refuseTransactionControl(sql) > 0) await client.executeMultiple(sql);
 * ```
 */
export function refuseTransactionControl(sql: string): number {
  const statements = splitStatements(sql);
  for (const statement of statements) {
    const first = /^[a-z]+/i.exec(statement.text)?.[0]?.toLowerCase();
    if (first === undefined || !TRANSACTION_CONTROL.has(first)) continue;
    throw new StrataError(
      'NOT_SUPPORTED',
      `libSQL cannot run ${first.toUpperCase()} through exec() (line ${statement.line}, column ${statement.column}): ` +
        'the client runs each call on a connection of its own, so the transaction would silently not be what it ' +
        'says; send the statements to driver.batch() instead, which applies them all or none',
      { line: statement.line, column: statement.column },
    );
  }
  return statements.length;
}
