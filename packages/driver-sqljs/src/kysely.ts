import { type Dialect, type SqliteDatabase, SqliteDialect } from 'kysely';
import type { SqlJsDriver } from './index.js';
import { iterateRows, queryRows, runStatement, scalar } from './sqljs.js';

/**
 * A kysely dialect over the driver's sql.js database, so typed queries see exactly the schema Strata migrated.
 *
 * `kysely.destroy()` does not close the database: the driver owns it, and `driver.close()` closes it. Writes made
 * through kysely are saved by the next `driver.persist()`.
 *
 * @example
 * ```ts
 * const driver = await openSqlJsFile('app.db');
 * const db = new Kysely<DB>({ dialect: kyselyDialect(driver) });
 * await db.insertInto('users').values({ name: 'Ada' }).execute();
 * await driver.persist();
 * ```
 */
export function kyselyDialect(driver: SqlJsDriver): Dialect {
  const adapter: SqliteDatabase = {
    prepare(sql) {
      // Read on every query: the file driver replaces its database when it reloads what another process saved.
      const { database } = driver;
      // kysely never frees what prepare() returns, and sql.js statements hold wasm memory until freed; so this one
      // only answers `reader` and each call below prepares, runs and frees its own.
      const probe = database.prepare(sql);
      let reader: boolean;
      try {
        reader = probe.getColumnNames().length > 0;
      } finally {
        probe.free();
      }
      return {
        reader,
        all: (params) => queryRows(database, sql, params),
        iterate: (params) => iterateRows(database, sql, params),
        run: (params) => ({
          changes: runStatement(database, sql, params).changes,
          lastInsertRowid: Number(scalar(database, 'SELECT last_insert_rowid()')),
        }),
      };
    },
    // kysely closes its database on destroy(); closing here would pull the database from under the driver.
    close: () => {},
  };
  return new SqliteDialect({ database: adapter });
}
