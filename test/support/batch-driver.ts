import { BatchError, type BatchResult, type BatchStatement, type Driver, StrataError, splitStatements } from '@strata/core';

const TRANSACTION_CONTROL = /^(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b/i;

/**
 * A driver that behaves as the engines without interactive transactions do (rqlite; libSQL over the network): over
 * `inner`, it refuses transaction statements in `exec`, is never in a transaction, and applies `batch` atomically,
 * naming the failing statement. It lets the core's batch path be tried on a plain SQLite file, beside the real engines.
 */
export function batchOnly(inner: Driver): Driver {
  const refuseControl = (sql: string): void => {
    for (const statement of splitStatements(sql)) {
      if (TRANSACTION_CONTROL.test(statement.text)) {
        throw new StrataError('NOT_SUPPORTED', `this engine applies atomic batches only: ${statement.text} is refused`);
      }
    }
  };
  const driver: Driver = {
    name: inner.name,
    exec: async (sql) => {
      refuseControl(sql);
      await inner.exec(sql);
    },
    query: (sql, params) => inner.query(sql, params),
    run: (sql, params) => inner.run(sql, params),
    inTransaction: () => false,
    async batch(statements: readonly BatchStatement[]): Promise<readonly BatchResult[]> {
      await inner.exec('BEGIN IMMEDIATE');
      const results: BatchResult[] = [];
      for (const [index, statement] of statements.entries()) {
        try {
          results.push(await inner.run(statement.sql, statement.params));
        } catch (error) {
          if (inner.inTransaction()) await inner.exec('ROLLBACK');
          throw new BatchError(index, error instanceof Error ? error.message : String(error), error);
        }
      }
      try {
        await inner.exec('COMMIT');
      } catch (error) {
        if (inner.inTransaction()) await inner.exec('ROLLBACK');
        throw new BatchError(statements.length, error instanceof Error ? error.message : String(error), error);
      }
      return results;
    },
    close: () => inner.close(),
  };
  if (inner.compile !== undefined) driver.compile = inner.compile.bind(inner);
  // A replay's scratch database is in memory, on the client's side, where transactions work as on any SQLite.
  if (inner.scratch !== undefined) driver.scratch = inner.scratch.bind(inner);
  return driver;
}
