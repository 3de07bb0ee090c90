import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describe, expect, it } from 'vitest';
import { guardDriver } from '../src/guard-driver.js';

describe('a guarded driver', () => {
  it('keeps compile(), and fails there as query() does, naming the database', async () => {
    const driver = guardDriver(createBetterSqlite3Driver({ filename: ':memory:' }), 'app.db');
    try {
      await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
      await driver.compile?.('INSERT INTO t (id) VALUES (:id)');
      expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
      const queried = await driver.query('SELECT name FROM t').catch((error: unknown) => error);
      const compiled = await driver.compile?.('SELECT name FROM t').catch((error: unknown) => error);
      expect(compiled).toMatchObject({
        code: 'DATABASE_ERROR',
        file: 'app.db',
        message: 'database app.db: no such column: name (SQLITE_ERROR)',
      });
      expect(compiled).toEqual(queried);
    } finally {
      await driver.close();
    }
  });
});
