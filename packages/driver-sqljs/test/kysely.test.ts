import { createSqlJsDriver, type SqlJsDriver } from '@strata/driver-sqljs';
import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { Kysely, sql } from 'kysely';
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
  it('queries the connection the driver migrated', async () => {
    const inserted = await db.insertInto('t').values({ id: 7, name: 'ada' }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(7n);
    await db.insertInto('t').values({ id: 5, name: 'bob' }).execute();
    const rows: { id: number; name: string }[] = await db.selectFrom('t').selectAll().orderBy('id').execute();
    expect(rows).toEqual([
      { id: 5, name: 'bob' },
      { id: 7, name: 'ada' },
    ]);
    expect(await driver.query('SELECT name FROM t WHERE id = ?', [5])).toEqual([{ name: 'bob' }]);

    const updated = await db.updateTable('t').set({ name: 'eve' }).where('id', '>', 0).executeTakeFirstOrThrow();
    expect(updated.numUpdatedRows).toBe(2n);
    const returned = await db.deleteFrom('t').where('id', '=', 5).returning('name').execute();
    expect(returned).toEqual([{ name: 'eve' }]);
  });

  it('counts no changes for DDL run after a write', async () => {
    await db.insertInto('t').values({ id: 1, name: 'ada' }).execute();
    const result = await sql`CREATE TABLE u (id INTEGER)`.execute(db);
    expect(result.numAffectedRows).toBe(0n);
  });

  it('commits and rolls back transactions on the shared connection', async () => {
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('t').values({ id: 1, name: 'kept' }).execute();
      expect(driver.inTransaction()).toBe(true);
    });
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('t').values({ id: 2, name: 'dropped' }).execute();
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(driver.inTransaction()).toBe(false);
    expect(await driver.query('SELECT name FROM t')).toEqual([{ name: 'kept' }]);
  });

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
    expect(live.open).toBe(0);
    // A statement left mid-step would hold the table.
    await driver.exec('DROP TABLE t');
  });

  it('leaves the database open when kysely is destroyed', async () => {
    await db.selectFrom('t').selectAll().execute();
    await db.destroy();
    expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
  });
});
