import { createSqlJsDriver, type SqlJsDriver } from '@strata/driver-sqljs';
import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trackStatements } from './helpers.js';

interface DB {
  t: { id: number; name: string };
}

let driver: SqlJsDriver;
let db: Kysely<DB>;
beforeEach(async () => {
  driver = await createSqlJsDriver();
  await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL)');
  db = new Kysely<DB>({ dialect: kyselyDialect(driver) });
});
afterEach(async () => {
  await db.destroy();
  await driver.close();
});

describe('kyselyDialect', () => {
  it('frees statements, including a stream stopped early', async () => {
    const live = trackStatements(driver);
    await db
      .insertInto('t')
      .values([
        { id: 1, name: 'a' },
        { id: 2, name: 'b' },
        { id: 3, name: 'c' },
      ])
      .execute();
    await db.selectFrom('t').selectAll().execute();
    for await (const row of db.selectFrom('t').selectAll().stream()) {
      expect(row.name).toBe('a');
      break;
    }
    expect(live.prepared).toBeGreaterThan(0);
    // The stream's own statement is freed; the others are kept, reset, for the next query with the same SQL.
    expect(live.open).toBeLessThan(live.prepared);
    // A statement left mid-step would hold the table.
    await driver.exec('DROP TABLE t');
  });
});
