import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Driver, MigrationManager, type MigrationSet, runCommand } from '@strata/core';
import { loadMigrationsFolder, readMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir, schemaOf } from './fixtures.js';

/** What the stats contract needs to know of a driver beyond how to open it. */
export interface StatsContractOptions {
  /** The journal mode of a file the driver opens; by default whatever `PRAGMA journal_mode` says. */
  readonly journalMode?: string;
}

/** Whether `value` holds only what JSON carries unchanged: no class instances, no `undefined`, no bigint. */
export function isPlainData(value: unknown): boolean {
  if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) return true;
  if (Array.isArray(value)) return value.every(isPlainData);
  if (typeof value !== 'object' || Object.getPrototypeOf(value) !== Object.prototype) return false;
  return Object.values(value).every(isPlainData);
}

/** Asserts that `value` crosses `postMessage` (structured clone) and JSON exactly as it is. */
export function expectPlainData(value: unknown): void {
  expect(isPlainData(value)).toBe(true);
  expect(structuredClone(value)).toStrictEqual(value);
  expect(JSON.parse(JSON.stringify(value))).toStrictEqual(value);
}

const digest = (bytes: Uint8Array | undefined) => (bytes === undefined ? null : createHash('sha256').update(bytes).digest('hex'));

/**
 * `MigrationManager.stats()` and `runCommand` on a real database. A driver's contract test calls this next to
 * `describeDriverContract`.
 */
export function describeStatsContract(
  name: string,
  open: (path: string) => Promise<Driver>,
  options: StatsContractOptions = {},
): void {
  describe(`stats and commands: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dbPath: string;
    const opened: Driver[] = [];
    const openDriver = async (): Promise<Driver> => {
      const driver = await open(dbPath);
      opened.push(driver);
      return driver;
    };
    const manage = async (migrations?: MigrationSet | Record<string, string>, driver?: Driver) =>
      new MigrationManager({ driver: driver ?? (await openDriver()), migrations: migrations ?? (await builtIn()) });
    const builtIn = () => loadMigrationsFolder(BUILT_IN_MIGRATIONS);

    beforeEach(() => {
      temp = makeTempDir();
      dbPath = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('describes a fresh database without creating the history table', async () => {
      const manager = await manage();
      const stats = await manager.stats();
      expect(stats).toMatchObject({ tables: [], indexes: 0, triggers: 0, views: 0, freelistCount: 0 });
      expect(stats.sizeBytes).toBe(stats.pageSize * stats.pageCount);
      expect(stats.migrations).toStrictEqual({ applied: 0, pending: 3, durations: [], totalDurationMs: 0, problems: [] });
      expect(stats.checks).toStrictEqual({ quickCheck: ['ok'], foreignKeyViolations: [], foreignKeyViolationsTruncated: false });
      expect(stats.health).toStrictEqual({ status: 'warning', reasons: ['3 migration(s) pending (001, 002, 003); run migrate'] });
      expect(await schemaOf(opened[0] as Driver)).toEqual([]);
      expectPlainData(stats);
    });

    it('counts the rows, objects and pages of the migrated built-in schema', async () => {
      const manager = await manage();
      await manager.migrate();
      const driver = opened[0] as Driver;
      const stats = await manager.stats();
      const rows = { domains: 5, schema_migrations: 3, settings: 6 } as Record<string, number>;
      expect(stats.tables).toStrictEqual(
        ['attempts', 'case_studies', 'case_study_tags', 'domains', 'progress', 'questions', 'schema_migrations', 'settings']
          .concat(['tags', 'user_preferences', 'users'])
          .map((table) => ({ name: table, rows: rows[table] ?? 0, history: table === 'schema_migrations' })),
      );
      // 001 and 002 name 7 indexes each; the automatic indexes of UNIQUE constraints are not counted. 001 has 8 triggers.
      expect([stats.indexes, stats.triggers, stats.views]).toEqual([14, 9, 0]);
      expect(stats.pageCount).toBeGreaterThan(0);
      expect(stats.sizeBytes).toBe(stats.pageSize * stats.pageCount);
      const [{ journal_mode }] = (await driver.query('PRAGMA journal_mode')) as [{ journal_mode: string }];
      expect(stats.journalMode).toBe(options.journalMode ?? journal_mode);
      const { applied } = await manager.status();
      expect(stats.migrations).toStrictEqual({
        applied: 3,
        pending: 0,
        last: { version: '003', name: 'add_user_preferences', appliedAt: applied[2]?.appliedAt },
        durations: applied.map((a) => ({ version: a.version, name: a.name, durationMs: expect.any(Number) })),
        totalDurationMs: applied.reduce((sum, a) => sum + (a.durationMs ?? 0), 0),
        problems: [],
      });
      expect(stats.checks).toStrictEqual({ quickCheck: ['ok'], foreignKeyViolations: [], foreignKeyViolationsTruncated: false });
      expect(stats.health).toStrictEqual({ status: 'ok', reasons: [] });
      expectPlainData(stats);
    });

    it('finds a row whose parent is missing', async () => {
      const manager = await manage();
      await manager.migrate();
      const driver = opened[0] as Driver;
      await driver.exec(
        "PRAGMA foreign_keys = OFF; INSERT INTO case_studies (id, domain_id, title) VALUES (7, 999, 'Orphan'); PRAGMA foreign_keys = ON;",
      );
      const [key] = await driver.query("SELECT id FROM pragma_foreign_key_list('case_studies') WHERE \"table\" = 'domains'");
      const stats = await manager.stats();
      expect(stats.checks.foreignKeyViolations).toStrictEqual([
        { table: 'case_studies', rowid: 7, parent: 'domains', fkid: key?.id },
      ]);
      expect(stats.health).toStrictEqual({
        status: 'error',
        reasons: ['1 foreign-key violation(s), the first in case_studies row 7, whose domains row is missing'],
      });
    });

    it('reports an edited applied migration as an error', async () => {
      await (await manage()).migrate();
      const files = await readMigrationsFolder(BUILT_IN_MIGRATIONS);
      const path = '003_add_user_preferences/up.sql';
      const edited = await manage({ ...files, [path]: `${files[path]}\n-- edited\n` }, opened[0]);
      const stats = await edited.stats();
      expect(stats.migrations.problems.map((p) => [p.code, p.version, p.file])).toEqual([['CHECKSUM_MISMATCH', '003', path]]);
      expect(stats.health.status).toBe('error');
      expect(stats.health.reasons).toEqual([
        expect.stringMatching(/^CHECKSUM_MISMATCH: migration 003 \(003_add_user_preferences\/up\.sql\)/),
      ]);
    });

    it('suggests VACUUM when much of the file is free pages', async () => {
      const manager = await manage({});
      const driver = opened[0] as Driver;
      await driver.exec(
        'CREATE TABLE blobs (data BLOB); WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 2000) INSERT INTO blobs SELECT zeroblob(1000) FROM n; DELETE FROM blobs;',
      );
      const stats = await manager.stats();
      expect(stats.freelistCount).toBeGreaterThan(stats.pageCount / 2);
      expect(stats.health).toStrictEqual({
        status: 'warning',
        reasons: [
          expect.stringMatching(/^\d+ of \d+ pages \(\d+%\) are free; VACUUM would shrink the file by about \d+\.\d MiB$/),
        ],
      });
      await driver.exec('VACUUM');
      expect((await manager.stats()).health).toStrictEqual({ status: 'ok', reasons: [] });
    });

    it('changes nothing, before and after migrating', async () => {
      const manager = await manage();
      const driver = opened[0] as Driver;
      // A second connection sees the first one's commits as a change of data_version, where the driver shares files.
      const observer = await openDriver();
      const snapshot = async () => ({
        schema: await schemaOf(driver),
        changes: await driver.query('SELECT total_changes() AS n'),
        dataVersion: await observer.query('PRAGMA data_version'),
        // Digests, because comparing large byte arrays element by element is slow. Readers do write the WAL index (-shm).
        files: ['app.db', 'app.db-wal'].map((file) =>
          existsSync(join(temp.path, file)) ? digest(readFileSync(join(temp.path, file))) : null,
        ),
        bytes: digest(await driver.serialize?.()),
      });
      for (const step of [async () => undefined, () => manager.migrate()]) {
        await step();
        const before = await snapshot();
        await manager.stats();
        await runCommand(manager, 'stats');
        expect(await snapshot()).toEqual(before);
      }
    });

    it('runs every command and returns plain data', async () => {
      const manager = await manage();
      const driver = opened[0] as Driver;
      const run = async (command: string) => {
        const outcome = await runCommand(manager, command);
        expectPlainData(outcome);
        return outcome;
      };
      const steps = (outcome: Awaited<ReturnType<typeof run>>) =>
        outcome.ok && (outcome.name === 'migrate' || outcome.name === 'rollback')
          ? outcome.result.steps.map((s) => [s.version, s.status])
          : outcome;

      expect(await run('status')).toMatchObject({ ok: true, name: 'status', result: { applied: [], problems: [] } });
      expect(steps(await run('migrate:dry-run'))).toEqual([
        ['001', 'planned'],
        ['002', 'planned'],
        ['003', 'planned'],
      ]);
      expect(await schemaOf(driver)).toEqual([]);
      expect(steps(await run('migrate:001'))).toEqual([['001', 'applied']]);
      expect(steps(await run('migrate'))).toEqual([
        ['002', 'applied'],
        ['003', 'applied'],
      ]);
      expect(await run('validate')).toMatchObject({ ok: true, result: { order: [{ version: '001' }, {}, {}], problems: [] } });
      expect(await run('stats')).toMatchObject({ ok: true, result: { health: { status: 'ok' }, migrations: { applied: 3 } } });
      expect(await run('rollback:001')).toStrictEqual({
        ok: false,
        command: 'rollback:001',
        error: {
          code: 'DEPENDENTS_APPLIED',
          version: '001',
          message:
            'migration 001_initial_schema cannot be rolled back while 002_add_performance_indexes, 003_add_user_preferences depend on it; roll them back first or use cascade',
        },
      });
      expect(steps(await run('rollback:003:dry-run'))).toEqual([['003', 'planned']]);
      expect(steps(await run('rollback:001:cascade'))).toEqual([
        ['003', 'rolled-back'],
        ['002', 'rolled-back'],
        ['001', 'rolled-back'],
      ]);
      expect(await run('rollback:001')).toMatchObject({ ok: false, error: { code: 'NOT_APPLIED', version: '001' } });
      expect(await run('migrate:042')).toMatchObject({ ok: false, error: { code: 'UNKNOWN_VERSION' } });
      expect(await run('launch')).toMatchObject({ ok: false, command: 'launch', error: { code: 'INVALID_OPTION' } });
    });

    it('returns a failed run with its report, and problems as plain data', async () => {
      const manager = await manage({
        '001_a/up.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n',
        '002_b/up.sql': 'CREATE TABLE b (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n',
      });
      const failed = await runCommand(manager, 'migrate');
      expectPlainData(failed);
      expect(failed).toMatchObject({
        ok: false,
        error: {
          code: 'MIGRATION_FAILED',
          version: '002',
          report: {
            steps: [
              { version: '001', status: 'applied' },
              { version: '002', status: 'failed' },
            ],
          },
        },
      });
      const edited = await manage({ '001_a/up.sql': 'CREATE TABLE a (id INTEGER);\n' }, opened[0]);
      for (const command of ['status', 'validate', 'stats', 'migrate']) {
        const outcome = await runCommand(edited, command);
        expectPlainData(outcome);
        expect(JSON.stringify(outcome)).toContain('CHECKSUM_MISMATCH');
      }
    });
  });
}
