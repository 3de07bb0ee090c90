import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createClient } from '@libsql/client';
import { BatchError, MigrationManager, type SqlValue } from '@strata/core';
import { createLibsqlDriver, type LibsqlDriver, libsql } from '@strata/driver-libsql';
import { kyselyDialect } from '@strata/driver-libsql/kysely';
import { Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startChild } from '../../../test/support/child-process.js';
import { type Sqld, startSqld } from './sqld.js';

const LOCK_HOLDER = fileURLToPath(new URL('./hold-lock.mjs', import.meta.url));

let folder: string;
let server: Sqld;
const cleanups: (() => unknown)[] = [];
const track = <T extends { close(): unknown }>(closable: T): T => {
  cleanups.push(() => closable.close());
  return closable;
};
const file = (name = 'app.db') => pathToFileURL(join(folder, name)).href;

beforeAll(async () => {
  server = await startSqld();
});
afterAll(() => server.stop());
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'strata-libsql-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  rmSync(folder, { recursive: true, force: true });
});

/** A driver on a local file, and one on the server over each protocol; each test's tables are its own by name. */
const targets: readonly [string, () => Promise<LibsqlDriver>][] = [
  ['file', async () => track(await createLibsqlDriver({ url: file() }))],
  ['http', async () => track(await createLibsqlDriver({ url: server.httpUrl }))],
  ['ws', async () => track(await createLibsqlDriver({ url: server.wsUrl }))],
];

describe.each(targets)('libsql driver on %s', (where, open) => {
  // The server's database is shared by the tests: each test's tables have names of their own.
  let table: string;
  beforeEach(() => {
    table = `t_${where}_${Math.random().toString(36).slice(2, 10)}`;
  });

  it('refuses transaction statements in exec with NOT_SUPPORTED, running nothing of the script', async () => {
    const driver = await open();
    await expect(
      driver.exec(`CREATE TABLE ${table} (id INTEGER);\n  BEGIN IMMEDIATE;\nINSERT INTO ${table} VALUES (1)`),
    ).rejects.toMatchObject({
      code: 'NOT_SUPPORTED',
      line: 2,
      column: 3,
      message:
        'libSQL cannot run BEGIN through exec() (line 2, column 3): the client runs each call on a connection of its own, so the transaction would silently not be what it says; send the statements to driver.batch() instead, which applies them all or none',
    });
    for (const sql of ['COMMIT', 'END TRANSACTION', 'ROLLBACK TO s', 'SAVEPOINT s', 'RELEASE s', '-- why\nbegin deferred']) {
      await expect(driver.exec(sql), sql).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
    }
    expect(await driver.query('SELECT name FROM sqlite_master WHERE name = ?', [table])).toEqual([]);
    expect(driver.inTransaction()).toBe(false);
  });

  it('applies a failing batch not at all, naming the failing statement and SQLite’s message', async () => {
    const driver = await open();
    await driver.exec(`CREATE TABLE ${table} (id INTEGER PRIMARY KEY)`);
    const error = await driver
      .batch([
        { sql: `INSERT INTO ${table} VALUES (?)`, params: [1] },
        { sql: `CREATE TABLE ${table}_more (id INTEGER)` },
        { sql: `INSERT INTO ${table}_nowhere VALUES (1)` },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BatchError);
    expect(error).toMatchObject({ index: 2, message: `no such table: ${table}_nowhere` });
    const unparsable = await driver
      .batch([{ sql: `INSERT INTO ${table} VALUES (2)` }, { sql: 'SELEC 1' }])
      .catch((e: unknown) => e);
    expect(unparsable).toMatchObject({ name: 'BatchError', index: 1, message: 'near "SELEC": syntax error' });
    expect(await driver.query(`SELECT id FROM ${table}`)).toEqual([]);
    expect(await driver.query('SELECT name FROM sqlite_master WHERE name = ?', [`${table}_more`])).toEqual([]);
    expect(await driver.batch([])).toEqual([]);
  });

  it('applies nothing of a batch whose COMMIT fails on a deferred foreign key, names the COMMIT, and stays usable', async () => {
    const driver = await open();
    await driver.exec(
      `CREATE TABLE ${table}_p (id INTEGER PRIMARY KEY); CREATE TABLE ${table} (pid INTEGER REFERENCES ${table}_p (id) DEFERRABLE INITIALLY DEFERRED)`,
    );
    const statements = [{ sql: `INSERT INTO ${table} VALUES (5)` }, { sql: `CREATE TABLE ${table}_x (a)` }];
    await expect(driver.batch(statements)).rejects.toMatchObject({
      name: 'BatchError',
      index: 2,
      message: 'FOREIGN KEY constraint failed',
    });
    expect(await driver.query(`SELECT count(*) AS n FROM ${table}`)).toEqual([{ n: 0 }]);
    // DDL goes on working, through a batch and through exec, on whichever connection the client takes.
    for (let i = 0; i < 3; i++) await driver.batch([{ sql: `CREATE TABLE ${table}_${i} (a)` }]);
    await driver.exec(`DROP TABLE ${table}_0; DROP TABLE ${table}_1; DROP TABLE ${table}_2`);
    expect(await driver.query('SELECT name FROM sqlite_master WHERE name LIKE ? ORDER BY name', [`${table}%`])).toEqual([
      { name: table },
      { name: `${table}_p` },
    ]);
  });

  it('runs kysely transactions on the same client, all or nothing, and leaves the client open when destroyed', async () => {
    const driver = await open();
    await driver.exec(`CREATE TABLE ${table} (email TEXT NOT NULL)`);
    const db = new Kysely<Record<string, { email: string }>>({ dialect: kyselyDialect(driver) });
    await db.transaction().execute(async (trx) => {
      await trx.insertInto(table).values({ email: 'kept@example.com' }).execute();
    });
    const abort = db.transaction().execute(async (trx) => {
      await trx.insertInto(table).values({ email: 'dropped@example.com' }).execute();
      throw new Error('abort');
    });
    await expect(abort).rejects.toThrow('abort');
    await db.destroy();
    expect(await driver.query(`SELECT email FROM ${table}`)).toEqual([{ email: 'kept@example.com' }]);
  });

  it('round-trips every kind of value, integers beyond 2^53 as bigints and the rest as numbers', async () => {
    const driver = await open();
    await driver.exec(`CREATE TABLE ${table} (v)`);
    const values = [
      0,
      -1,
      2 ** 53 - 1,
      -(2 ** 53) + 1,
      2n ** 62n,
      -(2n ** 63n),
      1.5,
      'text ✓',
      '',
      new Uint8Array([0, 1, 255]),
      null,
    ];
    for (const value of values) await driver.run(`INSERT INTO ${table} (v) VALUES (?)`, [value]);
    const rows = await driver.query<{ v: SqlValue; t: string }>(`SELECT v, typeof(v) AS t FROM ${table} ORDER BY rowid`);
    expect(rows.map((row) => row.v)).toEqual(values);
    expect(rows.map((row) => row.t)).toEqual([
      ...['integer', 'integer', 'integer', 'integer', 'integer', 'integer'],
      ...['real', 'text', 'text', 'blob', 'null'],
    ]);
    expect(await driver.query('SELECT 1 AS a, 2 AS a')).toEqual([{ a: 2 }]);
  });
});

describe('libsql driver on a local file', () => {
  it('waits for another client’s write lock as long as the busy timeout, then fails with LOCK_TIMEOUT', async () => {
    const url = file();
    const driver = track(await createLibsqlDriver({ url, busyTimeoutMs: 200 }));
    await driver.exec('CREATE TABLE t (id INTEGER)');
    const other = track(createClient({ url }));
    const writing = await other.transaction('write');
    await writing.execute('INSERT INTO t VALUES (1)');
    const started = performance.now();
    await expect(driver.run('INSERT INTO t VALUES (2)')).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      message: `waited 200 ms for another connection to release its lock on ${url}: libSQL answered "database is locked". Raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer, or stop the program that keeps it`,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    await writing.commit();
    // SQLite waits for a lock in this thread: the holder that lets go while it waits is another process.
    const holder = startChild(LOCK_HOLDER, { url, holdMs: 300 });
    await holder.waitFor((line) => line === 'locked', 5000);
    const patient = track(await createLibsqlDriver({ url, busyTimeoutMs: 5000 }));
    expect(await patient.run('INSERT INTO t VALUES (3)')).toEqual({ changes: 1 });
    expect((await holder.exited).code).toBe(0);
    expect(await driver.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
  });

  it('opens a path as a file URL in WAL mode, creating its folder, and refuses to turn foreign keys off', async () => {
    const path = join(folder, 'nested', 'dir', 'app db.sqlite');
    const driver = track(await libsql.open(path));
    expect(driver.name).toBe('libsql');
    await driver.exec('CREATE TABLE t (id INTEGER)');
    expect(await driver.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
    expect(await driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
    const again = track(await libsql.open(pathToFileURL(path).href));
    expect(await again.query("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([{ name: 't' }]);
    await expect(libsql.open(path, { foreignKeys: false })).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
  });

  it('uses a client it is given, leaving it open unless asked to close it', async () => {
    const client = track(createClient({ url: file(), intMode: 'bigint' }));
    const driver = await createLibsqlDriver({ client });
    await driver.exec('CREATE TABLE t (id INTEGER)');
    await driver.close();
    await driver.close();
    expect(client.closed).toBe(false);
    const owning = await createLibsqlDriver({ client, closeClient: true });
    await owning.close();
    expect(client.closed).toBe(true);
  });
});

describe('an embedded replica', () => {
  it('sends its writes to the primary, and reads them back after a sync; migrations run through it', async () => {
    const replica = track(await libsql.open(join(folder, 'replica.db'), { syncUrl: server.httpUrl }));
    const primary = track(await createLibsqlDriver({ url: server.httpUrl }));
    const table = `replicated_${Math.random().toString(36).slice(2, 8)}`;
    const manager = new MigrationManager({
      driver: replica,
      table: `${table}_history`,
      migrations: { [`001_${table}/up.sql`]: `CREATE TABLE ${table} (id INTEGER PRIMARY KEY, label TEXT);\n` },
    });
    expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['001', 'applied']]);
    await replica.run(`INSERT INTO ${table} (label) VALUES (?)`, ['from the replica']);
    expect(await primary.query(`SELECT label FROM ${table}`)).toEqual([{ label: 'from the replica' }]);
    expect(await primary.query(`SELECT version FROM ${table}_history`)).toEqual([{ version: '001' }]);
    await primary.run(`INSERT INTO ${table} (label) VALUES (?)`, ['from the primary']);
    await replica.client.sync();
    expect(await replica.query(`SELECT label FROM ${table} ORDER BY id`)).toEqual([
      { label: 'from the replica' },
      { label: 'from the primary' },
    ]);
    expect((await manager.status()).pending).toEqual([]);
  });
});
