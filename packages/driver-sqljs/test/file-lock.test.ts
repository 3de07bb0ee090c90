import { existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MigrationManager, type Row, type SqlValue } from '@strata/core';
import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { openSqlJsFile, type SqlJsFileDriver, sqlJsFiles } from '@strata/driver-sqljs/node';
import { Kysely, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Child, startChild } from '../../../test/support/child-process.js';
import { makeTempDir, tablesOf, writeFiles } from '../../../test/support/fixtures.js';

const SMALL = {
  '001_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
  '002_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n',
};
const CHILD = fileURLToPath(new URL('./migrate-child.mjs', import.meta.url));

let temp: ReturnType<typeof makeTempDir>;
let db: string;
const drivers: SqlJsFileDriver[] = [];
const children: Child[] = [];
const open = async (options: Parameters<typeof openSqlJsFile>[1] = {}) => {
  const driver = await openSqlJsFile(db, options);
  drivers.push(driver);
  return driver;
};
const migrate = (driver: SqlJsFileDriver | Awaited<ReturnType<typeof sqlJsFiles.open>>) =>
  new MigrationManager({ driver, migrations: SMALL }).migrate();

beforeEach(() => {
  temp = makeTempDir('strata-lock-');
  db = join(temp.path, 'app.db');
});
afterEach(async () => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
  for (const driver of drivers.splice(0)) await driver.close();
  temp.remove();
});

describe('the lock of a sql.js file', () => {
  it('is held for a run and gone after it', async () => {
    const driver = await open();
    let during = false;
    await driver.exclusive(async () => {
      during = existsSync(`${db}.lock`);
    });
    expect(during).toBe(true);
    await migrate(driver);
    expect(existsSync(`${db}.lock`)).toBe(false);
  });

  it('makes a run wait for another holder, and fails with LOCK_TIMEOUT after busyTimeoutMs', async () => {
    const holder = await open();
    let release = () => {};
    const held = holder.exclusive(() => new Promise<void>((resolve) => (release = resolve)));
    const waiter = await sqlJsFiles.open(db, { busyTimeoutMs: 300 });
    drivers.push(waiter);
    const started = performance.now();
    const error = await migrate(waiter).catch((e: unknown) => e);
    const waited = performance.now() - started;
    expect(error).toMatchObject({ code: 'LOCK_TIMEOUT' });
    expect((error as Error).message).toContain(db);
    expect((error as Error).message).toContain('waited 300 ms');
    expect(waited).toBeGreaterThanOrEqual(290);
    expect(waited).toBeLessThan(3000);

    const late = migrate(waiter);
    release();
    await held;
    expect((await late).steps.map((s) => s.status)).toEqual(['applied', 'applied']);
  });

  it('is taken over at once when the process holding it was killed', async () => {
    writeFiles(join(temp.path, 'migrations'), SMALL);
    const child = startChild(CHILD, { db, dir: join(temp.path, 'migrations'), hold: true });
    children.push(child);
    await child.waitFor((line) => line === 'locked');
    child.process.kill('SIGKILL');
    await child.exited;
    expect(existsSync(`${db}.lock`)).toBe(true);

    const started = performance.now();
    const report = await migrate(await open({ lockStaleMs: 60_000 }));
    // The lock names its process, which is gone: no waiting for it to go stale.
    expect(performance.now() - started).toBeLessThan(1500);
    expect(report.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
  });

  it('is kept fresh while held, so a holder idle for longer than lockStaleMs keeps it', async () => {
    const holder = await open({ lockStaleMs: 2000 });
    let releasedAt = 0;
    const held = holder.exclusive(async (lock) => {
      await new Promise((resolve) => setTimeout(resolve, 3200));
      await holder.exec('CREATE TABLE kept (id INTEGER)');
      await lock.persist();
      releasedAt = performance.now();
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const waiter = await open({ lockStaleMs: 2000, busyTimeoutMs: 10_000 });
    const report = await migrate(waiter);
    // The waiter got the lock only when the holder was done, and found what it saved.
    expect(performance.now()).toBeGreaterThanOrEqual(releasedAt);
    await held;
    expect(releasedAt).toBeGreaterThan(0);
    expect(report.steps.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect(await tablesOf(waiter)).toEqual(['kept', 'posts', 'schema_migrations', 'users']);
  });

  it.each(['SIGTERM', 'SIGINT'] as const)('is removed when %s ends the process holding it', async (signal) => {
    writeFiles(join(temp.path, 'migrations'), SMALL);
    const child = startChild(CHILD, { db, dir: join(temp.path, 'migrations'), hold: true });
    children.push(child);
    await child.waitFor((line) => line === 'locked');
    expect(existsSync(`${db}.lock`)).toBe(true);
    child.process.kill(signal);
    // Ended by the signal, as it would have been without the lock's listener.
    expect(await child.exited).toEqual({ code: null, signal });
    expect(existsSync(`${db}.lock`)).toBe(false);
    const started = performance.now();
    await migrate(await open());
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('refuses to save when another process took the lock over, and leaves that process its lock', async () => {
    const driver = await open();
    await migrate(driver);
    const before = readFileSync(db);
    const error = await driver
      .exclusive(async () => {
        // What a process that found this lock stale does: remove it and take its own.
        rmSync(`${db}.lock`, { recursive: true });
        mkdirSync(`${db}.lock`);
        await driver.exec('CREATE TABLE late (x INTEGER)');
        await driver.persist();
      })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'DATABASE_ERROR', message: expect.stringContaining('was lost') });
    expect(readFileSync(db)).toEqual(before);
    expect(existsSync(`${db}.lock`)).toBe(true);
  });

  it('reloads what another process saved, so a driver opened earlier neither repeats nor undoes it', async () => {
    const first = await open();
    const second = await open();
    const kysely = new Kysely<{ users: { id: number; email: string } }>({ dialect: kyselyDialect(second) });
    const before = second.database;
    expect((await migrate(first)).steps.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect((await migrate(second)).steps).toEqual([]);
    expect(second.database).not.toBe(before);
    expect(await tablesOf(second)).toEqual(['posts', 'schema_migrations', 'users']);
    await kysely.insertInto('users').values({ id: 1, email: 'a@b' }).execute();
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM users`.execute(kysely)).rows).toEqual([{ n: 1 }]);
    await second.persist();
    await kysely.destroy();

    await first.exclusive(async () => {});
    expect(await first.query('SELECT email FROM users')).toEqual([{ email: 'a@b' }]);
  });

  it('refuses to reload over changes this process has not saved', async () => {
    const first = await open();
    await migrate(first);
    const second = await open();
    await second.run("INSERT INTO users (email) VALUES ('second')");
    await first.run("INSERT INTO users (email) VALUES ('first')");
    await first.persist();

    await expect(second.persist()).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringContaining('was saved by another process'),
    });
    const third = await open();
    expect(await third.query('SELECT email FROM users')).toEqual([{ email: 'first' }]);
  });

  it('still sees unsaved rows after a backup export, which reconnects sql.js', async () => {
    const first = await open();
    await migrate(first);
    const second = await open();
    await second.run("INSERT INTO users (email) VALUES ('second')");
    await second.serialize?.();
    await first.run("INSERT INTO users (email) VALUES ('first')");
    await first.persist();

    await expect(second.persist()).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
  });

  it('lets calls on one driver take turns, and runs a call made inside another at once', async () => {
    const driver = await open();
    const order: string[] = [];
    const pause = () => new Promise((resolve) => setTimeout(resolve, 30));
    await Promise.all([
      driver.exclusive(async () => {
        order.push('a');
        await pause();
        order.push('a done');
      }),
      driver.exclusive(async () => {
        order.push('b');
        await driver.exclusive(async () => order.push('b inside'));
        order.push('b done');
      }),
    ]);
    expect(order).toEqual(['a', 'a done', 'b', 'b inside', 'b done']);
  });

  it('saves through the lock it gives, and with nested: false makes a call of the driver inside wait its turn', async () => {
    const driver = await open({ busyTimeoutMs: 200 });
    const inside = await driver.exclusive(
      async (lock) => {
        await driver.exec('CREATE TABLE notes (id INTEGER PRIMARY KEY)');
        await lock.persist();
        return driver.persist().catch((error: unknown) => error);
      },
      { nested: false },
    );
    // The call made inside waited for the lock this very call held, and gave up.
    expect(inside).toMatchObject({ code: 'LOCK_TIMEOUT' });
    const other = await open();
    expect(await tablesOf(other)).toContain('notes');
  });

  it('trusts the history it lists under the lock: no lookup per migration, each applied once, a rollback too', async () => {
    const driver = await open();
    const asked: string[] = [];
    const watched = {
      ...driver,
      exclusive: driver.exclusive,
      query: <R extends Row = Row>(text: string, params?: readonly SqlValue[]) => {
        asked.push(text);
        return driver.query<R>(text, params);
      },
    };
    const migrations = { ...SMALL, '002_posts/down.sql': 'DROP TABLE posts;\n' };
    const manager = new MigrationManager({ driver: watched, migrations });
    expect((await manager.migrate()).steps.map((s) => s.status)).toEqual(['applied', 'applied']);
    expect((await manager.rollback('002')).steps.map((s) => s.status)).toEqual(['rolled-back']);
    expect((await manager.migrate()).steps.map((s) => s.status)).toEqual(['applied']);
    expect(asked.filter((text) => text.includes('WHERE version = ?'))).toEqual([]);
    expect((await open()).database.exec('SELECT version FROM schema_migrations ORDER BY version')[0]?.values).toEqual([
      ['001'],
      ['002'],
    ]);
  });

  it('creates a missing folder of the file on opening, and fails with DATABASE_ERROR when it is gone at the lock', async () => {
    db = join(temp.path, 'missing', 'app.db');
    const driver = await open();
    expect(statSync(join(temp.path, 'missing')).isDirectory()).toBe(true);
    rmSync(join(temp.path, 'missing'), { recursive: true });
    await expect(migrate(driver)).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringContaining('could not lock'),
    });
  });
});
