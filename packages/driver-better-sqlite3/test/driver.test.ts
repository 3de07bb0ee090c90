import { mkdtemp, readdir, readlink, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type BetterSqlite3Driver,
  type BetterSqlite3DriverOptions,
  createBetterSqlite3Driver,
} from '@strata/driver-better-sqlite3';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

let folder: string;
const cleanups: (() => unknown)[] = [];
function open(options: BetterSqlite3DriverOptions = { filename: ':memory:' }): BetterSqlite3Driver {
  const driver = createBetterSqlite3Driver(options);
  cleanups.push(() => driver.close());
  return driver;
}
function connect(filename: string, options?: Database.Options): Database.Database {
  const db = new Database(filename, options);
  cleanups.push(() => db.close());
  return db;
}

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'strata-bsq3-'));
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  await rm(folder, { recursive: true, force: true });
});

describe('createBetterSqlite3Driver', () => {
  it('opens a file with WAL, foreign keys, NORMAL sync and a busy timeout', () => {
    const driver = open({ filename: join(folder, 'app.db') });
    const pragma = (name: string) => driver.database.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('wal');
    expect(pragma('foreign_keys')).toBe(1);
    expect(pragma('synchronous')).toBe(1);
    expect(pragma('busy_timeout')).toBe(5000);
  });

  it('applies the settings it is given instead', () => {
    const driver = open({
      filename: join(folder, 'app.db'),
      journalMode: 'delete',
      foreignKeys: false,
      busyTimeoutMs: 1234,
    });
    const pragma = (name: string) => driver.database.pragma(name, { simple: true });
    expect(pragma('journal_mode')).toBe('delete');
    expect(pragma('foreign_keys')).toBe(0);
    expect(pragma('synchronous')).toBe(2); // SQLite's FULL, untouched outside WAL
    expect(pragma('busy_timeout')).toBe(1234);
  });

  it('waits for a lock as long as the busy timeout, then fails with LOCK_TIMEOUT', async () => {
    const filename = join(folder, 'app.db');
    const driver = open({ filename, busyTimeoutMs: 200 });
    await driver.exec('CREATE TABLE t (id INTEGER)');
    const other = connect(filename);
    other.exec('BEGIN IMMEDIATE');
    const started = performance.now();
    await expect(driver.exec('INSERT INTO t VALUES (1)')).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      file: filename,
      message: `waited 200 ms for another connection to release its lock on ${filename}: SQLite answered "database is locked". Raise the busy timeout (busyTimeoutMs, --busy-timeout) to wait longer, or stop the program that keeps it`,
      cause: expect.objectContaining({ code: 'SQLITE_BUSY' }),
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(150);
    other.exec('ROLLBACK');
  });

  it('leaves an in-memory database and a read-only file in their journal mode', async () => {
    expect(open().database.pragma('journal_mode', { simple: true })).toBe('memory');
    const filename = join(folder, 'app.db');
    connect(filename).exec('CREATE TABLE t (id INTEGER)');
    const driver = open({ filename, readonly: true });
    expect(driver.database.pragma('journal_mode', { simple: true })).toBe('delete');
    await expect(driver.run('INSERT INTO t VALUES (1)')).rejects.toThrow(/readonly/);
  });

  it.skipIf(process.platform !== 'linux')('closes the file it opened when a setting fails', async () => {
    const filename = join(folder, 'app.db');
    connect(filename).exec('CREATE TABLE t (id INTEGER)');
    const handles = async () => {
      const links = await Promise.all(
        (await readdir('/proc/self/fd')).map((fd) => readlink(`/proc/self/fd/${fd}`).catch(() => '')),
      );
      return links.filter((link) => link === filename).length;
    };
    const before = await handles();
    expect(() => createBetterSqlite3Driver({ filename, readonly: true, journalMode: 'wal' })).toThrow(/readonly/);
    expect(await handles()).toBe(before);
  });

  it('changes only the asked settings of a connection it is given, and does not close it', async () => {
    const db = connect(join(folder, 'app.db'));
    db.pragma('foreign_keys = OFF'); // better-sqlite3 builds SQLite with foreign keys on by default
    const driver = createBetterSqlite3Driver({ database: db, busyTimeoutMs: 250 });
    expect(driver.database).toBe(db);
    expect(db.pragma('journal_mode', { simple: true })).toBe('delete');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(0);
    expect(db.pragma('busy_timeout', { simple: true })).toBe(250);
    await driver.close();
    expect(db.open).toBe(true);
  });

  it('closes a given connection when asked to', async () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = OFF');
    const driver = createBetterSqlite3Driver({ database: db, closeDatabase: true, foreignKeys: true });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    await driver.close();
    expect(db.open).toBe(false);
  });

  it('closes what it opened, and twice is harmless', async () => {
    const driver = createBetterSqlite3Driver({ filename: join(folder, 'app.db') });
    await driver.close();
    await driver.close();
    expect(driver.database.open).toBe(false);
  });
});
