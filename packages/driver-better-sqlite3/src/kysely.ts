import { type Dialect, SqliteDialect } from 'kysely';
import type { BetterSqlite3Driver } from './index.js';

/**
 * A kysely dialect over the driver's connection, so typed queries see exactly the schema Strata migrated.
 *
 * `kysely.destroy()` does not close the connection: the driver owns it, and `driver.close()` closes it.
 *
 * @example
 * ```ts
 * const driver = createBetterSqlite3Driver({ filename: 'app.db' });
 * const db = new Kysely<DB>({ dialect: kyselyDialect(driver) });
 * const users = await db.selectFrom('users').selectAll().execute();
 * ```
 */
export function kyselyDialect(driver: BetterSqlite3Driver): Dialect {
  const { database } = driver;
  return new SqliteDialect({
    database: {
      prepare: (sql) => database.prepare(sql),
      // kysely closes its database on destroy(); closing here would pull the connection from under the driver.
      close: () => {},
    },
  });
}
