import { createSqlJsDriver, type SqlJsDriver, type SqlJsStorage } from '@strata/driver-sqljs';
import initSqlJs from 'sql.js';
import { afterEach, describe, expect, it } from 'vitest';
import { trackStatements } from './helpers.js';

const drivers: SqlJsDriver[] = [];
async function open(options: Parameters<typeof createSqlJsDriver>[0] = {}): Promise<SqlJsDriver> {
  const driver = await createSqlJsDriver(options);
  drivers.push(driver);
  return driver;
}
afterEach(async () => {
  await Promise.all(drivers.splice(0).map((driver) => driver.close()));
});

/** Storage in memory that records every save. */
function memoryStorage(initial?: Uint8Array) {
  const saves: Uint8Array[] = [];
  const storage: SqlJsStorage = {
    load: async () => saves.at(-1)?.slice() ?? initial,
    save: async (bytes) => {
      saves.push(bytes.slice());
    },
  };
  return { storage, saves };
}

describe('createSqlJsDriver', () => {
  it('runs scripts and returns rows with blobs, nulls and numbers', async () => {
    const driver = await open();
    await driver.exec(`
      CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, data BLOB, n INTEGER);
      INSERT INTO t (name) VALUES ('a'); -- a comment; with a semicolon
      INSERT INTO t (name) VALUES ('b');
    `);
    await driver.run('UPDATE t SET data = ?, n = ? WHERE id = ?', [new Uint8Array([0, 1, 255]), 2 ** 40, 1]);
    const rows = await driver.query('SELECT id, name, data, n FROM t ORDER BY id');
    expect(rows).toEqual([
      { id: 1, name: 'a', data: new Uint8Array([0, 1, 255]), n: 2 ** 40 },
      { id: 2, name: 'b', data: null, n: null },
    ]);
    expect(rows[0]?.data).toBeInstanceOf(Uint8Array);
    expect(await driver.query('SELECT name FROM t WHERE id = ?', [99])).toEqual([]);
  });

  it('binds bigints as integers, exactly beyond 2^53 in INTEGER columns', async () => {
    const driver = await open();
    expect(await driver.query('SELECT ? = 5 AS eq, typeof(?) AS type', [5n, 5n])).toEqual([{ eq: 1, type: 'integer' }]);
    await driver.exec('CREATE TABLE big (v INTEGER)');
    await driver.run('INSERT INTO big VALUES (?)', [2n ** 60n + 1n]);
    expect(await driver.query('SELECT typeof(v) AS type, CAST(v AS TEXT) AS text FROM big')).toEqual([
      { type: 'integer', text: '1152921504606846977' },
    ]);
  });

  it('tells whether a transaction is open without changing it', async () => {
    const driver = await open();
    await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    expect(driver.inTransaction()).toBe(false);
    // The probe must not leave a transaction behind.
    await expect(driver.exec('COMMIT')).rejects.toThrow(/no transaction is active/);

    await driver.exec('BEGIN');
    await driver.run('INSERT INTO t VALUES (1)');
    expect(driver.inTransaction()).toBe(true);
    expect(driver.inTransaction()).toBe(true);
    await driver.exec('ROLLBACK');
    expect(driver.inTransaction()).toBe(false);
    expect(await driver.query('SELECT * FROM t')).toEqual([]);
  });

  it('prepares a kept statement again when sql.js has freed it', async () => {
    const driver = await open();
    const kept: { free(): boolean }[] = [];
    const prepare = driver.database.prepare.bind(driver.database);
    driver.database.prepare = (sql) => {
      const statement = prepare(sql);
      kept.push(statement);
      return statement;
    };
    expect(await driver.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    // What an older sql.js did to every statement on export().
    for (const statement of kept.splice(0)) statement.free();
    expect(await driver.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(kept).toHaveLength(1);
  });

  it('keeps a column named __proto__ as data', async () => {
    const driver = await open();
    const [row] = await driver.query('SELECT 1 AS "__proto__", 2 AS x');
    expect(Object.getPrototypeOf(row)).toBe(Object.prototype);
    expect(Object.entries(row ?? {})).toEqual([
      ['__proto__', 1],
      ['x', 2],
    ]);
  });

  it('turns foreign keys on unless told not to', async () => {
    const on = await open();
    expect(await on.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    const off = await open({ foreignKeys: false });
    expect(await off.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 0 }]);
  });

  it('uses a given module or loader', async () => {
    const SQL = await initSqlJs();
    const driver = await createSqlJsDriver({ sqlJs: SQL });
    drivers.push(driver);
    // Typed as sql.js's own Database, so its whole API is at hand.
    driver.database.create_function('twice', (x: number) => x * 2);
    expect(await driver.query('SELECT twice(21) AS v')).toEqual([{ v: 42 }]);
    const loaded = await open({ sqlJs: async () => SQL });
    expect(await loaded.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('prepares a statement once and keeps at most 32, none left mid-step, also when binding or stepping fails', async () => {
    const driver = await open();
    const live = trackStatements(driver);
    await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
    for (const id of [1, 2, 3]) await driver.run('INSERT INTO t VALUES (?)', [id]);
    for (let i = 0; i < 3; i++)
      expect(await driver.query('SELECT id FROM t WHERE id >= ? ORDER BY id', [2])).toEqual([{ id: 2 }, { id: 3 }]);
    // The insert and the select: an INSERT's count comes from changes(), with no SELECT total_changes().
    expect(live.prepared).toBe(2);
    await expect(driver.run('INSERT INTO t VALUES (?)', [1])).rejects.toThrow(/UNIQUE/);
    await expect(driver.query('SELECT ?', [{} as unknown as null])).rejects.toMatch(/bind/);
    await expect(driver.query('SELECT * FROM missing')).rejects.toThrow(/no such table/);
    expect(await driver.run('INSERT INTO t VALUES (?)', [4])).toEqual({ changes: 1 });
    for (let i = 0; i < 40; i++) await driver.query(`SELECT ${i} AS n FROM t LIMIT 1`);
    expect(live.open).toBe(32);
    // A statement left mid-step would hold the table. (sql.js frees the kept ones itself when the database closes.)
    await driver.exec('DROP TABLE t');
  });

  it('closes once, and twice is harmless', async () => {
    const driver = await createSqlJsDriver();
    await driver.close();
    await driver.close();
    expect(driver.inTransaction()).toBe(false);
    await expect(driver.query('SELECT 1')).rejects.toBeDefined();
  });
});

describe('changes', () => {
  it('counts the rows written, however often the database is exported, and keeps foreign keys on', async () => {
    const driver = await open();
    await driver.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)');
    expect(driver.changes()).toBe(2);
    await driver.serialize?.();
    await driver.serialize?.();
    expect(driver.changes()).toBe(2);
    await driver.run('INSERT INTO t VALUES (3)');
    await driver.serialize?.();
    expect(driver.changes()).toBe(3);
    expect(await driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
  });
});

describe('persist', () => {
  it('does nothing without storage', async () => {
    const driver = await open();
    await driver.exec('CREATE TABLE t (id INTEGER)');
    await expect(driver.persist()).resolves.toBeUndefined();
  });

  it('saves only when the bytes differ from what the storage holds', async () => {
    const { storage, saves } = memoryStorage();
    const first = await open({ storage });
    await first.persist();
    expect(saves).toHaveLength(1); // storage held nothing yet
    await first.persist();
    expect(saves).toHaveLength(1);

    await first.exec('CREATE TABLE t (id INTEGER)'); // DDL: not counted by total_changes()
    await first.persist();
    expect(saves).toHaveLength(2);
    await first.exec('PRAGMA user_version = 7'); // a header field, not counted anywhere either
    await first.persist();
    expect(saves).toHaveLength(3);
    first.database.run('INSERT INTO t VALUES (1)'); // behind the driver's back
    await first.persist();
    expect(saves).toHaveLength(4);
    await first.query('SELECT * FROM t');
    await first.persist();
    expect(saves).toHaveLength(4);

    const reopened = memoryStorage(saves.at(-1));
    const second = await open({ storage: reopened.storage });
    await second.persist();
    expect(reopened.saves).toHaveLength(0);
    expect(await second.query('PRAGMA user_version')).toEqual([{ user_version: 7 }]);
  });

  it('keeps foreign keys enforced after exporting', async () => {
    const { storage } = memoryStorage();
    const driver = await open({ storage });
    await driver.exec('CREATE TABLE p (id INTEGER PRIMARY KEY); CREATE TABLE c (p INTEGER REFERENCES p (id))');
    await driver.persist();
    expect(await driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    await expect(driver.run('INSERT INTO c VALUES (?)', [42])).rejects.toThrow(/FOREIGN KEY/);
  });

  it('starts from storage, or from data while storage is empty', async () => {
    const seed = await open();
    await seed.exec("CREATE TABLE t (v TEXT); INSERT INTO t VALUES ('seed')");
    const data = seed.database.export();
    const fromData = await open({ data, storage: memoryStorage().storage });
    expect(await fromData.query('SELECT v FROM t')).toEqual([{ v: 'seed' }]);

    await seed.run("UPDATE t SET v = 'stored'");
    const fromStorage = await open({ data, storage: memoryStorage(seed.database.export()).storage });
    expect(await fromStorage.query('SELECT v FROM t')).toEqual([{ v: 'stored' }]);
  });

  it('lands saves in call order even when an earlier save is slower', async () => {
    const SQL = await initSqlJs();
    const landed: number[] = [];
    let delay = 50;
    const storage: SqlJsStorage = {
      load: async () => undefined,
      save: async (bytes) => {
        const wait = delay;
        delay = 0;
        await new Promise((resolve) => setTimeout(resolve, wait));
        const db = new SQL.Database(bytes);
        landed.push(Number(db.exec('SELECT max(v) FROM t')[0]?.values[0]?.[0]));
        db.close();
      },
    };
    const driver = await open({ storage });
    await driver.exec('CREATE TABLE t (v INTEGER); INSERT INTO t VALUES (1)');
    const first = driver.persist();
    await new Promise((resolve) => setTimeout(resolve, 10)); // the first save has exported and is writing
    await driver.run('INSERT INTO t VALUES (2)');
    await Promise.all([first, driver.persist()]);
    expect(landed).toEqual([1, 2]);
  });

  it('rejects while a write transaction is open, and does not end it', async () => {
    const { storage, saves } = memoryStorage();
    const driver = await open({ storage });
    await driver.exec('CREATE TABLE t (v INTEGER); BEGIN; INSERT INTO t VALUES (1)');
    await expect(driver.persist()).rejects.toThrow();
    expect(driver.inTransaction()).toBe(true);
    expect(saves).toHaveLength(0);
    await driver.exec('COMMIT');
    await driver.persist();
    expect(saves).toHaveLength(1);
  });
});
