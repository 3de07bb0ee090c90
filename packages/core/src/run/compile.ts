import type { Driver } from '../driver.js';
import { StrataError } from '../errors.js';
import { splitStatements } from '../sql/split.js';

/**
 * Compiles one statement on `driver` without running it: through `driver.compile()` when the driver has it, else as
 * `EXPLAIN <sql>` through `exec` (a statement that is an `EXPLAIN` already is compiled as it is). It throws what the
 * driver throws for SQL that does not compile, such as `no such column: name`.
 *
 * @example
 * ```ts
 * await compileStatement(scratch, 'SELECT name FROM domains WHERE slug = :slug');
 * ```
 */
export async function compileStatement(driver: Driver, sql: string): Promise<void> {
  if (driver.compile !== undefined) return driver.compile(sql);
  // exec, because it binds nothing (query() would refuse parameters left unbound) and keeps no statement: SQLite never
  // compiles a kept EXPLAIN again when the schema changes, so a cached one would go on passing after a column is gone.
  // exec runs every statement it is given, so more than one is refused rather than run.
  const count = splitStatements(sql).length;
  if (count !== 1) throw new StrataError('INVALID_OPTION', `one statement can be compiled at a time, not ${count}: ${sql}`);
  await driver.exec(/^\s*explain\b/i.test(sql) ? sql : `EXPLAIN ${sql}`);
}
