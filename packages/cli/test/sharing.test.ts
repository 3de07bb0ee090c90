import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { DatabaseManager } from '@strata/core/node';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { createSqlJsDriver } from '@strata/driver-sqljs';
import { fileStorage, openSqlJsFile, sqlJsFiles } from '@strata/driver-sqljs/node';
import { afterEach, describe, expect, it } from 'vitest';
import { type Child, startChild } from '../../../test/support/child-process.js';
import { type CliResult, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** An application process on the database, outside Strata: see support/app-child.mjs. */
const APP = fileURLToPath(new URL('./support/app-child.mjs', import.meta.url));

const children: Child[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.process.kill('SIGKILL');
});

function startApp(db: string, mode: 'write' | 'commit' | 'lock', options: { journalMode?: string; rows?: number } = {}) {
  const child = startChild(APP, { db, mode, ...options });
  children.push(child);
  return child;
}

/** The rows the app printed as committed: each must be in the database whatever else happened. */
function committedBy(app: Child): number[] {
  return app.lines.filter((line) => line.startsWith('committed ')).map((line) => Number(line.slice('committed '.length)));
}

/** What the database holds, read by SQLite itself (which replays a -wal): the app's rows and quick_check. */
function contentsOf(file: string): { rows: Set<number>; quickCheck: string; history: string[] } {
  const db = createBetterSqlite3Driver({ filename: file, readonly: true }).database;
  try {
    const rows = new Set((db.prepare('SELECT n FROM app_rows').all() as { n: number }[]).map((row) => row.n));
    const quickCheck = String(db.pragma('quick_check', { simple: true }));
    const hasHistory = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").get() !== undefined;
    const history = hasHistory
      ? (db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as { version: string }[]).map(
          (r) => r.version,
        )
      : [];
    return { rows, quickCheck, history };
  } finally {
    db.close();
  }
}

function expectEveryRowKept(file: string, app: Child): void {
  const committed = committedBy(app);
  expect(committed.length).toBeGreaterThan(0);
  const { rows, quickCheck } = contentsOf(file);
  expect(
    committed.filter((n) => !rows.has(n)),
    'committed rows missing from the database',
  ).toEqual([]);
  expect(quickCheck).toBe('ok');
}

const setup = () => {
  const box = sandbox();
  writeMigrations(box.path('migrations'), THREE);
  const db = box.path('app.db');
  const cli = (driver: string, ...args: string[]) => box.start(['--driver', driver, '--db', 'app.db', ...args]);
  return { box, db, cli };
};

const failed = (result: CliResult, ...texts: string[]) => {
  expect(result.code, result.stderr).toBe(1);
  for (const text of texts) expect(result.stderr).toContain(text);
};

describe('a program with the database open in WAL mode (better-sqlite3 by default)', () => {
  it('is refused by every sql.js command while it writes, and every row it committed stays', async () => {
    const { db, cli } = setup();
    expect((await cli('better-sqlite3', 'migrate', '--to', '001')).code).toBe(0);
    const app = startApp(db, 'write');
    await app.waitFor((line) => line === 'committed 20');

    const migrate = await cli('sqljs', 'migrate');
    failed(migrate, 'DATABASE_ERROR', 'app.db', 'sql.js cannot');
    for (const command of ['status', 'stats', 'backup']) failed(await cli('sqljs', command), 'DATABASE_ERROR');
    await expect(
      DatabaseManager.open({
        file: db,
        driver: sqlJsFiles,
        migrations: fileURLToPath(new URL('../../../migrations', import.meta.url)),
      }),
    ).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
    });

    app.process.kill('SIGTERM');
    await app.waitFor((line) => line === 'closed');
    expect(app.lines.filter((line) => line.startsWith('failed'))).toEqual([]);
    expectEveryRowKept(db, app);
    expect(contentsOf(db).history).toEqual(['001']);
  });

  it('leaves the commits a killed program left in -wal to SQLite: sql.js refuses, and they all survive', async () => {
    const { db, cli } = setup();
    expect((await cli('better-sqlite3', 'migrate', '--to', '001')).code).toBe(0);
    const app = startApp(db, 'commit', { rows: 200 });
    await app.waitFor((line) => line === 'done');
    app.process.kill('SIGKILL');
    await app.exited;
    expect(statSync(`${db}-wal`).size).toBeGreaterThan(0);

    failed(await cli('sqljs', 'migrate'), `app.db-wal holds`, 'better-sqlite3 driver');
    failed(await cli('sqljs', 'status'), 'app.db-wal holds');
    await expect(openSqlJsFile(db)).rejects.toMatchObject({ code: 'DATABASE_ERROR', file: db });
    expectEveryRowKept(db, app);
    expect(contentsOf(db).rows.size).toBe(200);
  });
});

describe('a program with the database open in rollback-journal mode', () => {
  it('makes a sql.js run wait, then fail with LOCK_TIMEOUT naming it; the program never loses a row or a write', async () => {
    const { db, cli } = setup();
    expect((await cli('sqljs', 'migrate', '--to', '001')).code).toBe(0);
    const app = startApp(db, 'write', { journalMode: 'delete' });
    await app.waitFor((line) => line === 'committed 10');

    const run = await cli('sqljs', 'migrate', '--busy-timeout', '1500');
    failed(run, 'LOCK_TIMEOUT', `waited 1500 ms, but pid ${app.process.pid}`, 'app-child.mjs', 'app.db open');
    // After a second of waiting, it said what for.
    expect(run.stderr).toContain(`waiting: pid ${app.process.pid}`);
    // The program goes on writing to the same file: nothing was swapped under it.
    const after = committedBy(app).length;
    await app.waitFor((line) => line === `committed ${after + 20}`);
    app.process.kill('SIGTERM');
    await app.waitFor((line) => line === 'closed');
    expect(app.lines.filter((line) => line.startsWith('failed'))).toEqual([]);
    expectEveryRowKept(db, app);
    expect(contentsOf(db).history).toEqual(['001']);

    // Once it has closed the file, sql.js migrates it, keeping its rows.
    expect((await cli('sqljs', 'migrate')).code).toBe(0);
    expectEveryRowKept(db, app);
    expect(contentsOf(db).history).toEqual(['001', '002', '003']);
  });

  it('never gives sql.js a torn copy while it commits: each read is whole or refused', async () => {
    const { db, cli } = setup();
    expect((await cli('sqljs', 'migrate')).code).toBe(0);
    const app = startApp(db, 'write', { journalMode: 'delete' });
    await app.waitFor((line) => line === 'committed 5');
    let whole = 0;
    let refused = 0;
    for (let i = 0; i < 60; i++) {
      const read = await fileStorage(db)
        .read()
        .catch((error: unknown) => error as Error);
      if (read instanceof Error) {
        expect(read).toMatchObject({ code: 'DATABASE_ERROR' });
        refused += 1;
        continue;
      }
      const copy = await createSqlJsDriver({ data: read?.bytes });
      expect(await copy.query('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
      await copy.close();
      whole += 1;
    }
    console.log(`60 reads while a program committed: ${whole} whole, ${refused} refused`);
    expect(whole).toBeGreaterThan(0);
    app.process.kill('SIGTERM');
    await app.waitFor((line) => line === 'closed');
    expectEveryRowKept(db, app);
  });
});

describe('both drivers migrating one file at once', () => {
  it('apply each migration exactly once, however their runs fall', async () => {
    const { box } = setup();
    const outcomes: string[] = [];
    for (let round = 0; round < 6; round++) {
      const name = `round${round}.db`;
      // Started together, the native run is usually first; in every other round it starts a little later.
      const late = round % 2 === 0 ? 0 : 40 * round;
      const runs = await Promise.all(
        (['better-sqlite3', 'sqljs'] as const).map(async (driver) => {
          if (driver === 'better-sqlite3') await new Promise((resolve) => setTimeout(resolve, late));
          return box.start(['--driver', driver, '--db', name, '--busy-timeout', '20000', 'migrate']);
        }),
      );
      for (const run of runs) {
        // A sql.js run that comes second finds a file in WAL mode, which it refuses.
        if (run.code !== 0) failed(run, 'WAL mode');
      }
      expect(runs.some((run) => run.code === 0)).toBe(true);
      outcomes.push(runs.map((run) => run.code).join('/'));
      const { objects, history } = inspectDb(box.path(name));
      expect(history.map((row) => row.version)).toEqual(['001', '002', '003']);
      expect(objects).toEqual(['idx_users_email', 'posts', 'schema_migrations', 'users']);
      const status = JSON.parse((await box.start(['--db', name, 'status', '--json'])).stdout);
      expect([status.applied.length, status.pending.length, status.problems]).toEqual([3, 0, []]);
    }
    console.log(`exit codes better-sqlite3/sqljs by round: ${outcomes.join(', ')}`);
  }, 120_000);
  it('a failed sql.js run never removes the database another process created while it waited', async () => {
    const { box, db } = setup();
    // Strata's lock, as a process of this host (this test's) holds it.
    mkdirSync(`${db}.lock`);
    writeFileSync(
      `${db}.lock/owner.json`,
      JSON.stringify({ pid: process.pid, host: hostname(), token: 'test', since: new Date().toISOString() }),
    );
    const waiting = box.start(['--driver', 'sqljs', '--db', 'app.db', '--busy-timeout', '20000', 'migrate']);
    // It found no file, and now waits for the lock: meanwhile a native process creates the database.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const native = createBetterSqlite3Driver({ filename: db });
    native.database.exec('CREATE TABLE kept (id INTEGER PRIMARY KEY); INSERT INTO kept VALUES (1), (2)');
    native.database.close();
    rmSync(`${db}.lock`, { recursive: true });
    failed(await waiting, 'WAL mode');
    const kept = createBetterSqlite3Driver({ filename: db, readonly: true });
    expect(await kept.query('SELECT id FROM kept')).toEqual([{ id: 1 }, { id: 2 }]);
    await kept.close();
  });
});

describe('what sql.js does not replace', () => {
  it('a read-only database: refused before anything runs, the file untouched', async () => {
    const { db, cli } = setup();
    expect((await cli('sqljs', 'migrate', '--to', '001')).code).toBe(0);
    chmodSync(db, 0o444);
    const before = readFileSync(db);
    failed(await cli('sqljs', 'migrate'), `${db} is read-only (mode 0444)`);
    expect(readFileSync(db)).toEqual(before);
    expect(statSync(db).mode & 0o777).toBe(0o444);
  });

  it('a symbolic link: the file it points at is migrated, and the link stays a link', async () => {
    const { box, cli } = setup();
    mkdirSync(box.path('real'));
    symlinkSync('real/app.db', box.path('app.db'));
    expect((await cli('sqljs', 'migrate', '--to', '001')).code).toBe(0);
    expect((await cli('sqljs', 'migrate')).code).toBe(0);
    expect(lstatSync(box.path('app.db')).isSymbolicLink()).toBe(true);
    expect(inspectDb(box.path('real', 'app.db')).history.map((row) => row.version)).toEqual(['001', '002', '003']);
    // Both names of the file share one lock.
    expect(readdirSync(box.path('real'))).toEqual(['app.db']);
  });

  it('a file with a second name (a hard link): refused, since a rename would split the names', async () => {
    const { box, db, cli } = setup();
    expect((await cli('sqljs', 'migrate', '--to', '001')).code).toBe(0);
    linkSync(db, box.path('other.db'));
    const before = readFileSync(db);
    failed(await cli('sqljs', 'migrate'), 'has 2 names (hard links)');
    expect(readFileSync(db)).toEqual(before);
    expect(statSync(db).ino).toBe(statSync(box.path('other.db')).ino);
  });

  it.each(['better-sqlite3', 'sqljs'])('a symbolic link to a file a failed %s run created: the link stays', async (driver) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), {
      '001_broken': { up: 'CREATE TABLE t (id INTEGER PRIMARY KEY);\nSELECT nope();\n' },
    });
    mkdirSync(box.path('data'));
    symlinkSync('data/real.db', box.path('app.db'));
    failed(await box.start(['--driver', driver, '--db', 'app.db', 'migrate']), 'MIGRATION_FAILED');
    expect(lstatSync(box.path('app.db')).isSymbolicLink()).toBe(true);
    expect(existsSync(box.path('data', 'real.db'))).toBe(false);
  });

  it.skipIf(process.platform === 'win32')('a device: refused, and the device stays one', async () => {
    await expect(openSqlJsFile('/dev/null')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: '/dev/null is a character device, not a database file',
    });
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
  });
});

describe('backups', () => {
  it.each(['better-sqlite3', 'sqljs'])(
    'with %s, are as private as the database, and never written over its journals',
    async (driver) => {
      const { box, db, cli } = setup();
      expect((await cli(driver, 'migrate')).code).toBe(0);
      chmodSync(db, 0o600);
      expect((await cli(driver, 'backup', '--out', 'copy.db')).code).toBe(0);
      expect(statSync(box.path('copy.db')).mode & 0o777).toBe(0o600);
      for (const suffix of ['-wal', '-journal']) {
        const before = existsSync(`${db}${suffix}`) ? readFileSync(`${db}${suffix}`) : undefined;
        const refused = await cli(driver, 'backup', '--out', `app.db${suffix}`);
        failed(refused, `a backup cannot be written over the database's ${suffix.slice(1)} file`);
        expect(existsSync(`${db}${suffix}`) ? readFileSync(`${db}${suffix}`) : undefined).toEqual(before);
      }
    },
  );
});

describe('locks that hold', () => {
  it('a sql.js statement that computes longer than the stale limit keeps its lock: the waiting run applies nothing twice', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), {
      '001_slow': {
        up: 'CREATE TABLE slow AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 4000000) SELECT sum(x) AS s FROM c;\n',
      },
      '002_after': { up: 'CREATE TABLE after_slow (id INTEGER PRIMARY KEY);\n' },
    });
    const run = () =>
      box.start(['--driver', 'sqljs', '--db', 'app.db', '--lock-stale', '2000', '--busy-timeout', '60000', 'migrate']);
    const first = run();
    await new Promise((resolve) => setTimeout(resolve, 300));
    const results = await Promise.all([first, run()]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const applied = results.map((result) => (result.stdout.match(/✓ 00\d/g) ?? []).length);
    expect([...applied].sort()).toEqual([0, 2]);
    // The run that waited said, after a second, for what and for whom.
    const waited = results[applied.indexOf(0)]?.stderr ?? '';
    expect(waited).toMatch(/^waiting for the lock on .*app\.db, held by pid \d+ \(.*migrate\.js.*\) since /m);
    expect(inspectDb(box.path('app.db')).history.map((row) => row.version)).toEqual(['001', '002']);
  }, 120_000);

  it('a better-sqlite3 run kept waiting by another connection fails with LOCK_TIMEOUT naming it, not MIGRATION_FAILED', async () => {
    const { db, cli } = setup();
    expect((await cli('better-sqlite3', 'migrate', '--to', '001')).code).toBe(0);
    const app = startApp(db, 'lock');
    await app.waitFor((line) => line === 'locked');
    const run = await cli('better-sqlite3', 'migrate', '--busy-timeout', '400');
    failed(run, 'LOCK_TIMEOUT', `waited 400 ms for pid ${app.process.pid}`);
    expect(run.stderr).not.toContain('MIGRATION_FAILED');
    expect(contentsOf(db).history).toEqual(['001']);
  });

  it('--busy-timeout and --lock-stale take whole milliseconds; anything else is a usage error', async () => {
    const { cli } = setup();
    for (const args of [
      ['--busy-timeout=soon', '--busy-timeout'],
      ['--busy-timeout=-1', '--busy-timeout'],
      ['--lock-stale=10', '--lock-stale'],
    ]) {
      const result = await cli('sqljs', 'status', args[0] ?? '');
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`${args[1]} must be a whole number of milliseconds`);
    }
  });
});

describe('leftovers', () => {
  it('the temporary files of killed processes are removed by the next run; those of running ones stay', async () => {
    const { box, db, cli } = setup();
    expect((await cli('sqljs', 'migrate', '--to', '001')).code).toBe(0);
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    const dead = box.path(`.app.db.${gone}.0123456789ab.tmp`);
    const alive = box.path(`.app.db.${process.pid}.ba9876543210.tmp`);
    for (const file of [dead, alive]) writeFileSync(file, new Uint8Array(4096));
    expect((await cli('sqljs', 'migrate')).code).toBe(0);
    expect(existsSync(dead)).toBe(false);
    expect(existsSync(alive)).toBe(true);
    expect(inspectDb(db).history.map((row) => row.version)).toEqual(['001', '002', '003']);
  });
});
