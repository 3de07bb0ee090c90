import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { type ReaderPool, StrataError } from '@strata/core';
import { DatabaseManager } from '@strata/core/node';
import {
  type BetterSqlite3Driver,
  betterSqlite3,
  createBetterSqlite3Driver,
  createReaderPool,
} from '@strata/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, expectTypeOf, it, vi } from 'vitest';

let folder: string;
let file: string;
let writer: BetterSqlite3Driver;
const pools: ReaderPool[] = [];
async function pool(size: number): Promise<ReaderPool> {
  const created = await createReaderPool(file, size);
  pools.push(created);
  return created;
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'strata-readers-'));
  file = join(folder, 'app.db');
  writer = createBetterSqlite3Driver({ filename: file });
  await writer.exec(`CREATE TABLE items (id INTEGER PRIMARY KEY, label TEXT NOT NULL, data BLOB);
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
    INSERT INTO items (id, label) SELECT i, 'item ' || i FROM n;`);
});
afterEach(async () => {
  for (const created of pools.splice(0)) await created.close();
  await writer.close();
  await rm(folder, { recursive: true, force: true });
});

describe('createReaderPool', () => {
  it('is what the betterSqlite3 factory opens', async () => {
    const created = await betterSqlite3.createReaderPool?.(file, 2);
    if (created !== undefined) pools.push(created);
    expect(created?.size).toBe(2);
    expect(await created?.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1000 }]);
  });

  it('answers many queries at once with the right rows', async () => {
    const readers = await pool(3);
    const ids = Array.from({ length: 60 }, (_, i) => ((i * 17) % 1000) + 1);
    const rows = await Promise.all(
      ids.map((id) => readers.query<{ label: string }>('SELECT label FROM items WHERE id = ?', [id])),
    );
    expect(rows).toEqual(ids.map((id) => [{ label: `item ${id}` }]));
  });

  it('passes parameters and values of every type', async () => {
    await writer.run('UPDATE items SET data = ? WHERE id = 1', [new Uint8Array([1, 2, 3])]);
    const readers = await pool(1);
    const [row] = await readers.query('SELECT id, label, data, ? AS big, ? AS missing FROM items WHERE id = ?', [
      2n ** 40n,
      null,
      1,
    ]);
    expect(row).toEqual({ id: 1, label: 'item 1', data: new Uint8Array([1, 2, 3]), big: 2 ** 40, missing: null });
  });

  it('sees what the writer commits', async () => {
    const readers = await pool(2);
    expect(await readers.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1000 }]);
    await writer.run("INSERT INTO items (label) VALUES ('new')");
    await writer.run('DELETE FROM items WHERE id <= 10');
    const counts = await Promise.all([1, 2, 3, 4].map(() => readers.query('SELECT count(*) AS n FROM items')));
    expect(counts).toEqual([1, 2, 3, 4].map(() => [{ n: 991 }]));
  });

  it('refuses statements that write or return no rows with WRITE_REFUSED, and leaves the file unchanged', async () => {
    const readers = await pool(1);
    for (const sql of [
      "INSERT INTO items (label) VALUES ('x')",
      "INSERT INTO items (label) VALUES ('x') RETURNING id",
      'DELETE FROM items',
      'BEGIN',
      'PRAGMA user_version = 7',
    ]) {
      const error = await readers.query(sql).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StrataError);
      expect(error).toMatchObject({
        code: 'WRITE_REFUSED',
        message: `the reader pool on ${file} runs only read-only statements that return rows; run this one on the main connection (driver or kysely): ${sql}`,
      });
    }
    expect(await writer.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1000 }]);
    expect(await writer.query('PRAGMA user_version')).toEqual([{ user_version: 0 }]);
  });

  it("rejects a bad statement with DATABASE_ERROR naming the file and the statement, SQLite's error as cause, and keeps serving", async () => {
    const readers = await pool(1);
    const error = await readers.query('SELECT * FROM nowhere').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      code: 'DATABASE_ERROR',
      message: `no such table: nowhere (SQLITE_ERROR), reading ${file}: SELECT * FROM nowhere`,
    });
    const { cause } = error as StrataError;
    expect(cause).toBeInstanceOf(Database.SqliteError);
    expect(cause).toMatchObject({ code: 'SQLITE_ERROR', message: 'no such table: nowhere' });
    await expect(readers.query('SELEC 1')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringContaining('syntax error'),
    });
    expect(await readers.query('SELECT 1 AS one')).toEqual([{ one: 1 }]);
  });

  it('runs queries off the main thread: timers keep firing during slow queries', async () => {
    const readers = await pool(2);
    // A recursive CTE that keeps SQLite busy for a while without touching the file.
    const slow = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?) SELECT count(*) AS n FROM n';
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    try {
      const results = await Promise.all([readers.query(slow, [3_000_000]), readers.query(slow, [3_000_000])]);
      expect(results).toEqual([[{ n: 3_000_000 }], [{ n: 3_000_000 }]]);
    } finally {
      clearInterval(timer);
    }
    // Run on the main thread, the same queries would let no interval fire at all until both were done.
    expect(ticks).toBeGreaterThan(1);
  });

  it('fails to start on a file that does not exist with DATABASE_ERROR, and on a size that is not a count', async () => {
    const missing = join(folder, 'missing.db');
    const error = await createReaderPool(missing, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StrataError);
    expect(error).toMatchObject({
      code: 'DATABASE_ERROR',
      message: `unable to open database file (SQLITE_CANTOPEN), opening ${missing} in a reader thread`,
      cause: expect.objectContaining({ code: 'SQLITE_CANTOPEN' }),
    });
    await expect(createReaderPool(file, 0)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('can be closed twice, rejects what is in flight and what comes after with READERS_CLOSED', async () => {
    const readers = await pool(2);
    const slow = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT count(*) AS n FROM n';
    const inFlight = readers.query(slow).catch((e: unknown) => e);
    await readers.close();
    await readers.close();
    expect(await inFlight).toMatchObject({
      code: 'READERS_CLOSED',
      message: `the reader pool on ${file} was closed before this query was answered: ${slow}`,
    });
    const after = await readers.query('SELECT 1').catch((e: unknown) => e);
    expect(after).toBeInstanceOf(StrataError);
    expect(after).toMatchObject({ code: 'READERS_CLOSED', message: `the reader pool on ${file} is closed` });
  });

  it('rejects a query whose thread stops with READER_STOPPED, serves on the others, and says when none is left', async () => {
    // Watches which thread each query goes to (postMessage runs as before), so that the test can end that thread.
    const sent = vi.spyOn(Worker.prototype, 'postMessage');
    try {
      const readers = await pool(2);
      const slow =
        'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 50000000) SELECT count(*) AS n FROM n';
      const inFlight = readers.query(slow).catch((e: unknown) => e);
      const [thread] = sent.mock.contexts as Worker[];
      await thread?.terminate();
      const error = await inFlight;
      expect(error).toBeInstanceOf(StrataError);
      expect(error).toMatchObject({
        code: 'READER_STOPPED',
        message: `the reader thread running this query on ${file} stopped (exit code 1) before it answered: ${slow}`,
      });
      expect(await readers.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1000 }]);

      const other = (sent.mock.contexts as Worker[]).find((context) => context !== thread);
      await other?.terminate();
      await expect(readers.query('SELECT 1')).rejects.toMatchObject({
        code: 'READER_STOPPED',
        message: `every reader thread of the pool on ${file} has stopped (exit code 1, exit code 1); close the pool and open another`,
      });
    } finally {
      sent.mockRestore();
    }
  });

  it('does not keep the process alive once idle, but does while a query is in flight', async () => {
    // Without close(): the script must still end by itself, and must not end before its query is answered.
    const entry = pathToFileURL(join(dirname(dirname(fileURLToPath(import.meta.url))), 'dist/index.js')).href;
    const script = join(folder, 'script.mjs');
    await writeFile(
      script,
      `import { createReaderPool } from ${JSON.stringify(entry)};
const pool = await createReaderPool(${JSON.stringify(file)}, 2);
const slow = 'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000) SELECT count(*) AS n FROM n';
console.log(JSON.stringify(await pool.query(slow)));
`,
    );
    const child = spawnSync(process.execPath, [script], { encoding: 'utf8', timeout: 20_000 });
    expect(child.stderr).toBe('');
    expect(child.stdout.trim()).toBe('[{"n":1000000}]');
    expect(child.status).toBe(0);
  });
});

describe('DatabaseManager.open with readers', () => {
  const migrations = { '001_notes/up.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL);' };

  it('types db.readers as a ReaderPool when readers is given, and opens one', async () => {
    const db = await DatabaseManager.open({ file: join(folder, 'managed.db'), driver: betterSqlite3, migrations, readers: 2 });
    try {
      expectTypeOf(db.readers).toEqualTypeOf<ReaderPool>();
      // No `?.`: the type says the pool is there, and it is.
      expect(db.readers.size).toBe(2);
      await db.driver.run("INSERT INTO notes (body) VALUES ('hello')");
      expect(await db.readers.query('SELECT body FROM notes')).toEqual([{ body: 'hello' }]);
    } finally {
      await db.close();
    }
    await expect(db.readers.query('SELECT 1')).rejects.toMatchObject({ code: 'READERS_CLOSED' });

    const typed = await DatabaseManager.open<{ notes: { id: number; body: string } }>({
      file: join(folder, 'managed.db'),
      driver: betterSqlite3,
      migrations,
      readers: 1,
    });
    expectTypeOf(typed.readers).toEqualTypeOf<ReaderPool>();
    expect(await typed.readers.query('SELECT count(*) AS n FROM notes')).toEqual([{ n: 1 }]);
    await typed.close();
  });

  it('leaves db.readers possibly undefined without readers, and refuses readers: 0 before creating anything', async () => {
    const db = await DatabaseManager.open({ file: join(folder, 'managed.db'), driver: betterSqlite3, migrations });
    expectTypeOf(db.readers).toEqualTypeOf<ReaderPool | undefined>();
    expect(db.readers).toBeUndefined();
    await db.close();

    const other = join(folder, 'other.db');
    await expect(DatabaseManager.open({ file: other, driver: betterSqlite3, migrations, readers: 0 })).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: 'readers must be a whole number of at least 1, not 0; leave readers out to open no reader threads',
    });
    expect(existsSync(other)).toBe(false);
  });
});
