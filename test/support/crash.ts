import { copyFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Driver, MigrationManager } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { seededRandom, startChild } from './child-process.js';
import { makeTempDir, schemaOf, writeFiles } from './fixtures.js';

/**
 * A run with one large data migration (200 000 rows), an index build over it, and small ones around them. Each
 * migration has a probe that says whether all of what it makes exists, none of it, or part of it.
 */
const CRASH_MIGRATIONS: Readonly<Record<string, string>> = {
  '001_items/up.sql': 'CREATE TABLE items (id INTEGER PRIMARY KEY, k INTEGER NOT NULL, label TEXT NOT NULL);\n',
  '002_fill_items/up.sql':
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)\n' +
    "INSERT INTO items (k, label) SELECT i % 997, 'item ' || i FROM n;\n" +
    'CREATE TABLE fill_log (rows INTEGER NOT NULL);\nINSERT INTO fill_log SELECT count(*) FROM items;\n',
  '003_owners/up.sql': 'CREATE TABLE owners (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '004_items_k/up.sql': 'CREATE INDEX idx_items_k ON items (k, label);\n',
  '005_labels/up.sql':
    "CREATE TABLE labels (id INTEGER PRIMARY KEY, text TEXT NOT NULL);\nINSERT INTO labels (text) VALUES ('a'), ('b'), ('c');\n",
  '006_items_flag/up.sql': 'ALTER TABLE items ADD COLUMN flag INTEGER NOT NULL DEFAULT 0;\n',
  '007_audit/up.sql':
    'CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT NOT NULL);\nCREATE INDEX idx_audit_at ON audit (at);\n',
};

type Trace = 'all' | 'none' | 'partial';

const names = async (driver: Driver): Promise<Set<string>> =>
  new Set((await driver.query<{ name: string }>('SELECT name FROM sqlite_master')).map((row) => row.name));
const summary = (present: readonly boolean[]): Trace =>
  present.every(Boolean) ? 'all' : present.some(Boolean) ? 'partial' : 'none';

const PROBES: Readonly<Record<string, (driver: Driver, objects: Set<string>) => Promise<Trace>>> = {
  '001': async (_, objects) => summary([objects.has('items')]),
  '002': async (driver, objects) => {
    const rows = objects.has('items') ? (await driver.query('SELECT count(*) AS n FROM items'))[0]?.n : 0;
    return summary([rows === 200_000, objects.has('fill_log')]);
  },
  '003': async (_, objects) => summary([objects.has('owners')]),
  '004': async (_, objects) => summary([objects.has('idx_items_k')]),
  '005': async (_, objects) => summary([objects.has('labels')]),
  '006': async (driver, objects) => {
    if (!objects.has('items')) return 'none';
    const columns = await driver.query<{ name: string }>("SELECT name FROM pragma_table_info('items')");
    return summary([columns.some((c) => c.name === 'flag')]);
  },
  '007': async (_, objects) => summary([objects.has('audit'), objects.has('idx_audit_at')]),
};
const VERSIONS = Object.keys(PROBES);

/** How the crash suite reaches one driver. */
export interface CrashTarget {
  /** The child script: `runMigrateChild` from migrate-child.mjs with the driver's opener. */
  readonly childScript: string;
  /** Opens the driver in the test process. */
  open(path: string): Promise<Driver>;
  /** How many times to kill a run. */
  readonly kills: number;
}

/** The seed of the kill times: STRATA_CRASH_SEED, or a fixed one; printed, so a failure can be repeated. */
export function crashSeed(): number {
  const given = process.env.STRATA_CRASH_SEED;
  return given === undefined || given === '' ? 20_250_515 : Number(given);
}

/** Removes a database file and whatever SQLite or Strata keeps beside it. */
export function removeDatabase(db: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.lock']) rmSync(`${db}${suffix}`, { recursive: true, force: true });
}

/**
 * Kills migration runs with SIGKILL at random moments and checks, after each kill: the file opens and passes
 * `PRAGMA quick_check`; every recorded migration's objects exist and no unrecorded one left any behind; and a new run
 * finishes with the complete schema. Runs start from an empty file or from one where the large migration is already
 * applied, so kills land in every part of a run, saves included.
 */
export function describeCrashSafety(name: string, target: CrashTarget): void {
  describe(`killing a migration run at random moments: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dir: string;
    let complete: string[];
    // A start with the large migration applied, and how long a run takes from each start, after it prints "start".
    let halfway: string;
    const runTime = new Map<string, number>();

    const migrateIn = async (db: string, to?: string) => {
      const driver = await target.open(db);
      try {
        const manager = new MigrationManager({ driver, migrations: await loadMigrationsFolder(dir) });
        await manager.migrate(to === undefined ? {} : { to });
        return await schemaOf(driver);
      } finally {
        await driver.close();
      }
    };
    // One run's time; the kill loop shortens it whenever a run finishes before its kill.
    const timeRun = async (start: string | undefined, db: string): Promise<number> => {
      removeDatabase(db);
      if (start !== undefined) copyFileSync(start, db);
      const child = startChild(target.childScript, { db, dir });
      await child.waitFor((line) => line === 'start');
      const began = performance.now();
      const { code } = await child.exited;
      expect(code, child.stderr()).toBe(0);
      return performance.now() - began;
    };

    beforeAll(async () => {
      temp = makeTempDir('strata-crash-');
      dir = join(temp.path, 'migrations');
      writeFiles(dir, CRASH_MIGRATIONS);
      complete = await migrateIn(join(temp.path, 'complete.db'));
      halfway = join(temp.path, 'halfway.db');
      await migrateIn(halfway, '002');
      const scratch = join(temp.path, 'scratch.db');
      runTime.set('empty', await timeRun(undefined, scratch));
      runTime.set('halfway', await timeRun(halfway, scratch));
    }, 30_000);
    afterAll(() => temp.remove());

    it(`stays consistent after ${target.kills} kills, and a new run completes it each time`, async () => {
      const seed = crashSeed();
      const random = seededRandom(seed);
      console.log(
        `${name}: seed ${seed} (set STRATA_CRASH_SEED to change it); run from "start" takes ` +
          `${Math.round(runTime.get('empty') ?? 0)} ms from empty, ${Math.round(runTime.get('halfway') ?? 0)} ms from 002`,
      );
      const outcomes = new Map<string, number>();
      let kills = 0;
      let finishedFirst = 0;
      let leftovers = 0;
      // The next child starts (and loads Node, the driver and the migrations) while this one's file is checked; it
      // waits for its own signal file, and works on the other of two database files.
      const launch = (round: number) => {
        const db = join(temp.path, `app-${round % 2}.db`);
        const go = join(temp.path, `go-${round}`);
        return { db, go, child: startChild(target.childScript, { db, dir, go }) };
      };
      let round = 0;
      let next = launch(round);
      try {
        while (kills < target.kills) {
          expect(finishedFirst, 'too many runs finished before their kill').toBeLessThan(target.kills);
          const { db, go, child } = next;
          const start = random() < 0.5 ? 'empty' : 'halfway';
          // A quarter of the kills aim at the end of the run, where the last commits (and sql.js's save) happen.
          const share = random() < 0.25 ? 0.85 + 0.2 * random() : random();
          const delay = share * (runTime.get(start) ?? 0);
          removeDatabase(db);
          if (start === 'halfway') copyFileSync(halfway, db);
          await child.waitFor((line) => line === 'ready');
          writeFileSync(go, '');
          await child.waitFor((line) => line === 'start');
          const began = performance.now();
          const timer = setTimeout(() => child.process.kill('SIGKILL'), delay);
          const { signal } = await child.exited;
          clearTimeout(timer);
          round += 1;
          next = launch(round);
          if (signal !== 'SIGKILL') {
            // The run was quicker than measured before: aim the next kills within this one's time.
            finishedFirst += 1;
            runTime.set(start, Math.min(runTime.get(start) ?? 0, performance.now() - began));
            continue;
          }
          kills += 1;
          // A save killed before its rename leaves its temporary file; it is never read, and the next run removes it.
          const temporaries = () => readdirSync(temp.path).filter((f) => f.startsWith(`.${basename(db)}.`) && f.endsWith('.tmp'));
          if (temporaries().length > 0) leftovers += 1;

          const driver = await target.open(db);
          try {
            expect(await driver.query('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
            const objects = await names(driver);
            const recorded = objects.has('schema_migrations')
              ? (await driver.query<{ version: string }>('SELECT version FROM schema_migrations ORDER BY version')).map(
                  (row) => row.version,
                )
              : [];
            // One run applies migrations in order, so what is recorded is always a prefix of the order.
            expect(recorded).toEqual(VERSIONS.slice(0, recorded.length));
            const traces: Record<string, Trace> = {};
            for (const version of VERSIONS) traces[version] = (await PROBES[version]?.(driver, objects)) ?? 'partial';
            const expected = Object.fromEntries(VERSIONS.map((v) => [v, recorded.includes(v) ? 'all' : 'none']));
            expect(traces, `after kill ${kills} (${start}, ${Math.round(delay)} ms)`).toEqual(expected);
            outcomes.set(`${start}→${recorded.length}`, (outcomes.get(`${start}→${recorded.length}`) ?? 0) + 1);

            const report = await new MigrationManager({ driver, migrations: await loadMigrationsFolder(dir) }).migrate();
            expect(report.steps.map((step) => step.version)).toEqual(VERSIONS.slice(recorded.length));
            expect(await schemaOf(driver)).toEqual(complete);
            expect(temporaries(), 'temporary files the killed run left').toEqual([]);
          } finally {
            await driver.close();
          }
        }
      } finally {
        next.child.process.kill('SIGKILL');
      }
      const states = [...outcomes].sort().map(([key, count]) => `${key} applied: ${count}`);
      console.log(
        `${name}: ${kills} kills (${finishedFirst} runs finished first, ${leftovers} left a temporary file); ` +
          `start → recorded: ${states.join(', ')}`,
      );
      // The kill times spread over the run: more than one point of it was hit.
      expect(outcomes.size).toBeGreaterThan(1);
    }, 120_000);
  });
}

/**
 * A `transaction: false` migration: a table, then a long statement that fills it, then a second table. Outside a
 * transaction, each statement commits by itself.
 */
const NON_TRANSACTIONAL: Readonly<Record<string, string>> = {
  '001_base/up.sql': 'CREATE TABLE base (id INTEGER PRIMARY KEY);\n',
  '002_outside/meta.yaml': 'transaction: false\n',
  '002_outside/up.sql':
    'CREATE TABLE tf_first (n INTEGER NOT NULL);\n' +
    'WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000000)\nINSERT INTO tf_first SELECT i FROM n;\n' +
    'CREATE TABLE tf_last (n INTEGER NOT NULL);\n',
};

/** How the suite about an interrupted `transaction: false` migration reaches one driver. */
export interface NonTransactionalTarget {
  readonly childScript: string;
  open(path: string): Promise<Driver>;
  /**
   * Whether statements reach the file as they commit (better-sqlite3), rather than with the save at the end of the
   * run (sql.js); only then does an interrupted `transaction: false` migration leave part of itself behind.
   */
  readonly writesThrough: boolean;
}

/**
 * Kills a run in the middle of a `transaction: false` migration and checks what the documentation promises: it is
 * not recorded, so `status` shows it pending; on a file SQLite writes through, the statements that finished remain and
 * a new run fails on them until they are undone by hand; with sql.js nothing of the run reached the file.
 */
export function describeInterruptedNonTransactional(name: string, target: NonTransactionalTarget): void {
  describe(`killing a run inside a transaction: false migration: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    afterEach(() => temp.remove());

    it('leaves it pending, with what its finished statements did only where SQLite writes through', async () => {
      temp = makeTempDir('strata-crash-tf-');
      const dir = join(temp.path, 'migrations');
      const db = join(temp.path, 'app.db');
      writeFiles(dir, NON_TRANSACTIONAL);
      const migrations = await loadMigrationsFolder(dir);
      const setup = await target.open(db);
      await new MigrationManager({ driver: setup, migrations }).migrate({ to: '001' });
      await setup.close();

      const child = startChild(target.childScript, { db, dir });
      await child.waitFor((line) => line.startsWith('event ') && line.includes('"type":"start","version":"002"'));
      // The first statement takes a millisecond, the second most of a second: this kill lands inside the second.
      await new Promise((resolve) => setTimeout(resolve, 150));
      child.process.kill('SIGKILL');
      expect((await child.exited).signal).toBe('SIGKILL');

      const driver = await target.open(db);
      try {
        const manager = new MigrationManager({ driver, migrations });
        const status = await manager.status();
        expect(status.applied.map((m) => m.version)).toEqual(['001']);
        expect(status.pending.map((m) => m.version)).toEqual(['002']);
        const tables = await names(driver);
        expect(tables.has('tf_last')).toBe(false);
        if (target.writesThrough) {
          // The first statement committed; the interrupted one, atomic on its own, left no rows.
          expect(tables.has('tf_first')).toBe(true);
          expect(await driver.query('SELECT count(*) AS n FROM tf_first')).toEqual([{ n: 0 }]);
          await expect(manager.migrate()).rejects.toMatchObject({ code: 'MIGRATION_FAILED', version: '002' });
          // The documented recovery: undo what it left, then run again.
          await driver.exec('DROP TABLE tf_first');
        } else {
          expect(tables.has('tf_first')).toBe(false);
        }
        expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['002', 'applied']]);
        expect(await driver.query('SELECT count(*) AS n FROM tf_first')).toEqual([{ n: 1_000_000 }]);
      } finally {
        await driver.close();
      }
    }, 30_000);
  });
}
