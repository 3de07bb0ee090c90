import type { Driver } from '../driver.js';

/**
 * Compiles one statement on `driver` without running it: through `driver.compile()` when the driver has it, else as
 * `EXPLAIN <sql>` through `query` (a statement that is an `EXPLAIN` already is compiled as it is). It throws what
 * the driver throws for SQL that does not compile, such as `no such column: name`.
 *
 * @example
 * ```ts
 * await compileStatement(scratch, 'SELECT name FROM domains WHERE slug = ?');
 * ```
 */
export async function compileStatement(driver: Driver, sql: string): Promise<void> {
  if (driver.compile !== undefined) return driver.compile(sql);
  await driver.query(/^\s*explain\b/i.test(sql) ? sql : `EXPLAIN ${sql}`);
}
