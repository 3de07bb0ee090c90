import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ReaderPool } from '@strata/core';
import {
  type BetterSqlite3Driver,
  betterSqlite3,
  createBetterSqlite3Driver,
  createReaderPool,
} from '@strata/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

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

  it('refuses statements that write or return no rows, and leaves the file unchanged', async () => {
    const readers = await pool(1);
    for (const sql of [
      "INSERT INTO items (label) VALUES ('x')",
      "INSERT INTO items (label) VALUES ('x') RETURNING id",
      'DELETE FROM items',
      'BEGIN',
      'PRAGMA user_version = 7',
    ]) {
      await expect(readers.query(sql)).rejects.toMatchObject({ code: 'SQLITE_READONLY', message: expect.stringContaining(sql) });
    }
    expect(await writer.query('SELECT count(*) AS n FROM items')).toEqual([{ n: 1000 }]);
    expect(await writer.query('PRAGMA user_version')).toEqual([{ user_version: 0 }]);
  });

  it("rejects with SQLite's message and code, and keeps serving", async () => {
    const readers = await pool(1);
    const error = await readers.query('SELECT * FROM nowhere').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Database.SqliteError);
    expect(error).toMatchObject({ code: 'SQLITE_ERROR', message: 'no such table: nowhere' });
    await expect(readers.query('SELEC 1')).rejects.toMatchObject({
      code: 'SQLITE_ERROR',
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

  it('fails to start on a file that does not exist, and on a size that is not a count', async () => {
    await expect(createReaderPool(join(folder, 'missing.db'), 2)).rejects.toMatchObject({ code: 'SQLITE_CANTOPEN' });
    await expect(createReaderPool(file, 0)).rejects.toMatchObject({ code: 'INVALID_OPTION' });
  });

  it('can be closed twice, and refuses queries once closed', async () => {
    const readers = await pool(2);
    await readers.close();
    await readers.close();
    await expect(readers.query('SELECT 1')).rejects.toThrow(/closed/);
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
