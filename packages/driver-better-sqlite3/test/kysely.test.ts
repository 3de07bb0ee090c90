import { type BetterSqlite3Driver, createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { kyselyDialect } from '@strata/driver-better-sqlite3/kysely';
import { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

interface DB {
  t: { id: number; name: string };
}

let driver: BetterSqlite3Driver;
let db: Kysely<DB>;
beforeEach(async () => {
  driver = createBetterSqlite3Driver({ filename: ':memory:' });
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
    const rows: { id: number; name: string }[] = await db.selectFrom('t').selectAll().execute();
    expect(rows).toEqual([{ id: 7, name: 'ada' }]);
    expect(await driver.query('SELECT name FROM t WHERE id = ?', [7])).toEqual([{ name: 'ada' }]);

    await driver.run('INSERT INTO t (name) VALUES (?)', ['bob']);
    const bob = await db.selectFrom('t').select('id').where('name', '=', 'bob').executeTakeFirstOrThrow();
    expect(bob.id).toBe(8);
  });

  it('leaves the connection open when kysely is destroyed', async () => {
    await db.selectFrom('t').selectAll().execute();
    await db.destroy();
    expect(driver.database.open).toBe(true);
    expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
  });
});
