import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Driver, MigrationManager, type RunReport } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type Child, printed, startChild } from './child-process.js';
import { historyOf, makeTempDir, schemaOf, writeFiles } from './fixtures.js';

const fill = (table: string, columns: string, rows: number, select: string) =>
  `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})\nINSERT INTO ${table} (${columns}) SELECT ${select} FROM n;\n`;

/**
 * Ten migrations, a few of them slow enough (tens of thousands of rows, index builds) that processes starting
 * together overlap. 009 derives totals from 005's rows, so a migration applied twice shows in the data as well.
 */
export const CONCURRENT_MIGRATIONS: Readonly<Record<string, string>> = {
  '001_accounts/up.sql': 'CREATE TABLE accounts (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n',
  '002_fill_accounts/up.sql': fill('accounts', 'name', 30_000, "'account ' || i"),
  '003_accounts_name/up.sql': 'CREATE INDEX idx_accounts_name ON accounts (name);\n',
  '004_events/up.sql':
    'CREATE TABLE events (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts (id), kind TEXT NOT NULL);\n',
  '005_fill_events/up.sql': fill('events', 'account_id, kind', 60_000, "i % 30000 + 1, 'kind ' || (i % 7)"),
  '006_events_account/up.sql': 'CREATE INDEX idx_events_account ON events (account_id, kind);\n',
  '007_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL UNIQUE);\n',
  '008_account_tags/up.sql':
    'CREATE TABLE account_tags (account_id INTEGER NOT NULL REFERENCES accounts (id), tag_id INTEGER NOT NULL REFERENCES tags (id), PRIMARY KEY (account_id, tag_id));\n',
  '009_totals/up.sql': 'CREATE TABLE totals AS SELECT account_id, count(*) AS events FROM events GROUP BY account_id;\n',
  '010_settings/up.sql':
    "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);\nINSERT INTO settings VALUES ('schema', '10');\n",
};

const VERSIONS = Object.keys(CONCURRENT_MIGRATIONS).map((path) => path.slice(0, 3));

/** How the concurrency suite reaches one driver. */
export interface ConcurrentDriver {
  /** The child script: `runMigrateChild` from migrate-child.mjs with the driver's opener. */
  readonly childScript: string;
  /** Opens the driver in the test process, on a file. */
  open(path: string): Promise<Driver>;
  /** Options the children pass to their opener: a busy timeout long enough that none should time out. */
  readonly childOptions: Readonly<Record<string, unknown>>;
}

/**
 * Eight processes that start together (they wait for one signal file) migrate one new database file: each migration
 * must be applied exactly once in all, none may fail, and the file must end as a single process leaves it.
 */
export function describeConcurrentMigrations(name: string, target: ConcurrentDriver, processes = 8): void {
  describe(`${processes} processes migrating one file at once: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    const children: Child[] = [];
    beforeEach(() => {
      temp = makeTempDir('strata-concurrency-');
      writeFiles(join(temp.path, 'migrations'), CONCURRENT_MIGRATIONS);
    });
    afterEach(() => {
      for (const child of children.splice(0)) child.process.kill('SIGKILL');
      temp.remove();
    });

    it('applies every migration once in all, and ends with the schema a single process makes', async () => {
      const dir = join(temp.path, 'migrations');
      const db = join(temp.path, 'shared.db');
      const go = join(temp.path, 'go');
      for (let i = 0; i < processes; i++) {
        children.push(startChild(target.childScript, { db, dir, go, options: target.childOptions }));
      }
      // Everyone has loaded its modules and migrations before the signal, so the runs themselves start together.
      await Promise.all(children.map((child) => child.waitFor((line) => line === 'ready')));
      writeFileSync(go, '');
      const exits = await Promise.all(children.map((child) => child.exited));

      const failures = children.map((child) => printed<{ code: string; message: string }>(child, 'error'));
      expect(failures.filter((f) => f !== undefined)).toEqual([]);
      expect(exits.map((e) => e.code)).toEqual(children.map(() => 0));
      const reports = children.map((child) => printed<RunReport>(child, 'report'));
      const applied = new Map<string, number>();
      for (const report of reports) {
        expect(report).toBeDefined();
        for (const step of report?.steps ?? []) {
          expect(['applied', 'skipped']).toContain(step.status);
          if (step.status === 'applied') applied.set(step.version, (applied.get(step.version) ?? 0) + 1);
        }
      }
      expect(Object.fromEntries(applied)).toEqual(Object.fromEntries(VERSIONS.map((v) => [v, 1])));
      const appliers = reports.filter((r) => r?.steps.some((s) => s.status === 'applied')).length;
      console.log(`${name}: ${appliers} of ${processes} processes applied migrations`);

      const shared = await target.open(db);
      const single = await target.open(join(temp.path, 'single.db'));
      try {
        await new MigrationManager({ driver: single, migrations: await loadMigrationsFolder(dir) }).migrate();
        expect((await historyOf(shared)).map((row) => row.version)).toEqual(VERSIONS);
        expect(await schemaOf(shared)).toEqual(await schemaOf(single));
        const counts =
          'SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM events) AS events, (SELECT sum(events) FROM totals) AS totals';
        expect(await shared.query(counts)).toEqual([{ accounts: 30_000, events: 60_000, totals: 60_000 }]);
        expect(await shared.query('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
      } finally {
        await shared.close();
        await single.close();
      }
    }, 30_000);
  });
}
