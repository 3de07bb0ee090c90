import { writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { BatchError, type StrataError } from '@strata/core';
import { createRqliteDriver, type RqliteDriver, rqlite } from '@strata/driver-rqlite';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../../test/support/fixtures.js';
import { type Cluster, freePort, startCluster } from './support/cluster.js';

let cluster: Cluster;
let driver: RqliteDriver;

beforeAll(async () => {
  cluster = await startCluster();
  driver = createRqliteDriver({ url: cluster.url });
}, 30_000);
afterAll(() => cluster?.stop());
afterEach(async () => {
  const objects = await driver.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
  );
  if (objects.length > 0) await driver.batch(objects.map(({ name }) => ({ sql: `DROP TABLE "${name}"` })));
});

const tables = async () =>
  (await driver.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).map((r) => r.name);

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a failure');
    },
    (error: unknown) => error as StrataError,
  );

describe('rqlite driver', () => {
  it('refuses transaction statements before sending anything', async () => {
    for (const sql of ['BEGIN', 'begin immediate', 'COMMIT', 'END TRANSACTION', 'ROLLBACK', 'SAVEPOINT s', 'RELEASE s']) {
      const error = await failure(driver.exec(`CREATE TABLE before_it (x);\n-- a comment\n${sql}`));
      expect([error.code, error.message]).toEqual(['NOT_SUPPORTED', expect.stringContaining(`"${sql}" is refused (line 3)`)]);
    }
    expect((await failure(driver.run('BEGIN'))).code).toBe('NOT_SUPPORTED');
    expect((await failure(driver.query('/* x */ COMMIT'))).code).toBe('NOT_SUPPORTED');
    expect((await failure(driver.batch([{ sql: 'CREATE TABLE t (x)' }, { sql: 'SAVEPOINT a' }]))).code).toBe('NOT_SUPPORTED');
    expect(await tables()).toEqual([]);
    expect(driver.inTransaction()).toBe(false);
  });

  it('applies a batch whole and returns the rows each statement changed', async () => {
    const results = await driver.batch([
      { sql: 'CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT)' },
      { sql: 'INSERT INTO t (label) VALUES (?), (?)', params: ['a', 'b'] },
      { sql: 'UPDATE t SET label = upper(label)' },
    ]);
    expect(results).toEqual([{ changes: 0 }, { changes: 2 }, { changes: 2 }]);
    expect(await driver.query('SELECT id, label FROM t ORDER BY id')).toEqual([
      { id: 1, label: 'A' },
      { id: 2, label: 'B' },
    ]);
  });

  it('applies nothing of a failing batch and names the failing statement', async () => {
    await driver.exec('CREATE TABLE kept (x INTEGER PRIMARY KEY)');
    const error = await failure(
      driver.batch([
        { sql: 'CREATE TABLE t (x)' },
        { sql: 'INSERT INTO kept VALUES (?)', params: [1] },
        { sql: 'INSERT INTO nope VALUES (1)' },
        { sql: 'CREATE TABLE never (x)' },
      ]),
    );
    expect(error).toBeInstanceOf(BatchError);
    expect([(error as unknown as BatchError).index, error.message]).toEqual([2, 'no such table: nope']);
    expect(await tables()).toEqual(['kept']);
    expect(await driver.query('SELECT count(*) AS n FROM kept')).toEqual([{ n: 0 }]);

    const duplicate = await failure(
      driver.batch([{ sql: 'INSERT INTO kept VALUES (1)' }, { sql: 'INSERT INTO kept VALUES (1)' }]),
    );
    expect([(duplicate as unknown as BatchError).index, duplicate.message]).toEqual([1, 'UNIQUE constraint failed: kept.x']);
    expect(await driver.query('SELECT count(*) AS n FROM kept')).toEqual([{ n: 0 }]);
  });

  it('surfaces the SQL errors rqlite answers with HTTP 200', async () => {
    const query = await failure(driver.query('SELECT nope'));
    expect([query.code, query.message]).toEqual(['DATABASE_ERROR', 'no such column: nope']);
    const run = await failure(driver.run('INSERT INTO missing VALUES (1)'));
    expect([run.code, run.message]).toEqual(['DATABASE_ERROR', 'no such table: missing']);
    const syntax = await failure(driver.exec('CREATE TABLE a (x);\nCREATE TABLE b (x'));
    expect([syntax.code, syntax.message]).toEqual(['DATABASE_ERROR', 'incomplete input']);
    // exec sends a script as one atomic request: the first statement is not applied either.
    expect(await tables()).toEqual([]);
  });

  it('round-trips values: text, integers beyond 2^53, reals, NULL and BLOB literals', async () => {
    await driver.exec('CREATE TABLE v (i INTEGER, r REAL, t TEXT, b BLOB, n)');
    const big = 2n ** 62n + 1n;
    await driver.run('INSERT INTO v VALUES (?, ?, ?, ?, ?)', [big, 1.5, 'é "quoted" ☃', null, -(2n ** 63n)]);
    await driver.run("INSERT INTO v VALUES (?, ?, ?, X'00ff10', ?)", [42, 1e20, '', 9007199254740993n]);
    expect(await driver.query('SELECT i, r, t, b, n FROM v ORDER BY rowid')).toEqual([
      { i: big, r: 1.5, t: 'é "quoted" ☃', b: null, n: -(2n ** 63n) },
      { i: 42, r: 1e20, t: '', b: Uint8Array.from([0, 255, 16]), n: 9007199254740993n },
    ]);
    expect(await driver.query('SELECT i FROM v WHERE i = ?', [big])).toEqual([{ i: big }]);
    // rqlite's JSON takes no BLOB parameter: the driver writes it into the SQL as a literal, in the place of its ?.
    await driver.run("INSERT INTO v (t, b, i) VALUES ('?', ?, ? /* ? */)", [Uint8Array.of(7, 8), 3]);
    expect(await driver.query('SELECT t, b, i FROM v WHERE i = 3')).toEqual([{ t: '?', b: Uint8Array.of(7, 8), i: 3 }]);
    const named = await failure(driver.run('INSERT INTO v (b) VALUES (:b)', [Uint8Array.of(1)]));
    expect([named.code, named.message]).toEqual(['NOT_SUPPORTED', expect.stringContaining('takes no BLOB parameter')]);
  });

  it("reads DATETIME columns in SQLite's form, which rqlite sends as RFC 3339", async () => {
    await driver.exec(
      "CREATE TABLE d (at DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, day DATE); INSERT INTO d (day) VALUES ('2025-01-15')",
    );
    const [row] = await driver.query<{ at: string; day: string; stored: string }>(
      'SELECT at, day, CAST(day AS TEXT) AS stored FROM d',
    );
    expect(row?.at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect([row?.day, row?.stored]).toEqual(['2025-01-15 00:00:00', '2025-01-15']);
  });

  it('returns the rows of a statement that writes and reads, through the unified endpoint', async () => {
    await driver.exec('CREATE TABLE r (id INTEGER PRIMARY KEY, x TEXT)');
    expect(await driver.query('INSERT INTO r (x) VALUES (?) RETURNING id, x', ['a'])).toEqual([{ id: 1, x: 'a' }]);
    expect(await driver.query('UPDATE r SET x = ?', ['b'])).toEqual([]);
    expect(await driver.query('SELECT x FROM r')).toEqual([{ x: 'b' }]);
  });

  it('compiles without running, with EXPLAIN', async () => {
    await driver.exec('CREATE TABLE c (id INTEGER PRIMARY KEY, x TEXT)');
    await driver.compile('UPDATE c SET x = :x WHERE id = ?');
    await driver.compile('DELETE FROM c');
    expect((await failure(driver.compile('SELECT y FROM c'))).message).toBe('no such column: y');
    expect(await driver.query('SELECT count(*) AS n FROM c')).toEqual([{ n: 0 }]);
  });

  it('tries the next node when one is down, and refuses a URL it cannot use', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const both = await rqlite.open(`${dead},${cluster.url}`, { busyTimeoutMs: 5000 });
    expect(await both.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    const none = await rqlite.open(dead, { busyTimeoutMs: 300 });
    const error = await failure(none.query('SELECT 1'));
    expect([error.code, error.message]).toEqual([
      'DATABASE_ERROR',
      expect.stringContaining('no rqlite node answered within 300 ms'),
    ]);
    for (const url of ['ftp://h:1', 'http://h:1/db', 'app.db', ''])
      expect((await failure(rqlite.open(url))).code).toBe('INVALID_OPTION');
  });

  it('follows a node that redirects to the leader, with the same method and body', async () => {
    const redirecting = createServer((request, response) => {
      response.writeHead(301, { Location: `${cluster.url}${request.url ?? '/'}` }).end();
    });
    await new Promise<void>((resolve) => redirecting.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = redirecting.address() as AddressInfo;
      const through = createRqliteDriver({ url: `http://127.0.0.1:${port}` });
      expect(
        await through.batch([{ sql: 'CREATE TABLE moved (x)' }, { sql: 'INSERT INTO moved VALUES (?)', params: [7] }]),
      ).toEqual([{ changes: 0 }, { changes: 1 }]);
      expect(await through.query('SELECT x FROM moved')).toEqual([{ x: 7 }]);
    } finally {
      redirecting.close();
    }
  });

  it('sends basic auth from the URL', async () => {
    const temp = makeTempDir();
    const auth = join(temp.path, 'auth.json');
    writeFileSync(auth, JSON.stringify([{ username: 'bob', password: 'p@ss:wörd', perms: ['all'] }]));
    const secured = await startCluster({
      flags: ['-auth', auth],
      authorization: `Basic ${Buffer.from('bob:p@ss:wörd').toString('base64')}`,
    });
    try {
      const port = new URL(secured.url).port;
      const good = createRqliteDriver({ url: `http://bob:${encodeURIComponent('p@ss:wörd')}@127.0.0.1:${port}` });
      expect(await good.query('SELECT 2 AS two')).toEqual([{ two: 2 }]);
      const bad = createRqliteDriver({ url: `http://bob:wrong@127.0.0.1:${port}` });
      const error = await failure(bad.query('SELECT 2'));
      expect([error.code, error.message]).toEqual(['DATABASE_ERROR', expect.stringContaining('refused the credentials (401')]);
      expect(error.message).not.toContain('wrong');
    } finally {
      await secured.stop();
      temp.remove();
    }
  }, 30_000);

  it('sends a write once when its outcome is unknown, and a read again, to the next node', async () => {
    const calls: string[] = [];
    // The first node takes the request and drops the connection before answering; the second is the real one.
    const dropping: typeof fetch = async (input, init) => {
      const url = String(input);
      calls.push(url);
      if (url.startsWith('http://dropping:1')) throw new TypeError('fetch failed', { cause: { code: 'ECONNRESET' } });
      return fetch(url.replace('http://second:2', cluster.url), init);
    };
    const flaky = createRqliteDriver({ url: 'http://dropping:1,http://second:2', fetch: dropping });
    const write = await failure(flaky.run('CREATE TABLE once (x)'));
    expect([write.code, write.message]).toEqual([
      'DATABASE_ERROR',
      expect.stringContaining('rqlite did not say whether a write was applied (http://dropping:1: fetch failed'),
    ]);
    expect(calls).toEqual(['http://dropping:1/db/request']);
    expect(await flaky.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
    expect(calls.slice(1).map((url) => new URL(url).host)).toEqual(['dropping:1', 'second:2']);
    expect(await tables()).toEqual([]);
  });

  it('refuses calls once closed', async () => {
    const other = createRqliteDriver({ url: cluster.url });
    await other.close();
    await other.close();
    expect((await failure(other.query('SELECT 1'))).message).toContain('is closed');
  });
});
