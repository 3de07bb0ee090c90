import { join } from 'node:path';
import { checksumOf, type Driver, MigrationManager, StrataError, ValidationError } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingDriver, historyOf, makeTempDir, schemaOf, tablesOf } from './fixtures.js';

const FILES: Readonly<Record<string, string>> = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '002_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '002_create_posts/meta.yaml': 'dependencies: ["001"]\n',
  '003_create_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
  '003_create_tags/down.sql': 'DROP TABLE tags;\n',
};

/** The same migrations with each folder's version written with one more leading zero: `001_create_users` → `0001_…`. */
const RENAMED: Readonly<Record<string, string>> = Object.fromEntries(
  Object.entries(FILES).map(([path, text]) => [`0${path}`, text]),
);

/**
 * The history table as other tools and older checkouts leave it: versions spelled with other leading zeros than the
 * folders, checksums in upper case, and, in a table made without a PRIMARY KEY, two rows for one version. Each is
 * matched as the folders are, by version number and checksum without regard to case. A driver's test file calls this
 * with a way to open it.
 */
export function describeHistoryContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`history contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dbPath: string;
    const opened: Driver[] = [];
    const openDriver = async () => {
      const driver = await open(dbPath);
      opened.push(driver);
      return driver;
    };
    const manage = (driver: Driver, files: Readonly<Record<string, string>> = FILES) =>
      new MigrationManager({ driver, migrations: files });
    /** The history as a fresh connection reads it from the file: what was saved, not what one connection holds. */
    const savedHistory = async () => {
      const driver = await openDriver();
      try {
        return await historyOf(driver);
      } finally {
        await driver.close();
      }
    };
    /** Runs SQL as another tool would, and saves it for drivers that keep the database in memory. */
    const edit = async (driver: Driver, sql: string) => {
      await driver.exec(sql);
      await driver.persist?.();
    };

    beforeEach(() => {
      temp = makeTempDir();
      dbPath = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('matches rows to folders by version number: after renaming 001_x to 0001_x nothing is pending or runs twice', async () => {
      const driver = await openDriver();
      await manage(driver).migrate();
      const history = await historyOf(driver);
      const schema = await schemaOf(driver);
      const renamed = manage(driver, RENAMED);

      const status = await renamed.status();
      expect(status.problems).toEqual([]);
      expect(status.pending).toEqual([]);
      expect((await renamed.validate()).problems).toEqual([]);
      expect((await renamed.migrate()).steps).toEqual([]);
      expect((await renamed.migrate({ ignoreMissing: true })).steps).toEqual([]);
      expect(await historyOf(driver)).toEqual(history);
      expect(await schemaOf(driver)).toEqual(schema);
    });

    it('rolls back a renamed migration, deleting the row stored under the old spelling', async () => {
      const driver = await openDriver();
      await manage(driver).migrate();
      const renamed = manage(driver, RENAMED);

      const report = await renamed.rollback('0003');
      expect(report.steps.map((s) => [s.version, s.status])).toEqual([['0003', 'rolled-back']]);
      expect(await tablesOf(driver)).toEqual(['posts', 'schema_migrations', 'users']);
      await driver.close();
      expect((await savedHistory()).map((row) => row.version)).toEqual(['001', '002']);

      const again = manage(await openDriver(), RENAMED);
      expect((await again.status()).pending).toEqual([{ version: '0003', name: 'create_tags' }]);
      await expect(again.rollback('3')).rejects.toMatchObject({ code: 'NOT_APPLIED', version: '0003' });
      expect((await again.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['0003', 'applied']]);
    });

    it('repairs and baselines the row stored under another spelling, not a new one', async () => {
      const driver = await openDriver();
      await manage(driver).migrate({ to: '001' });
      const edited = { ...RENAMED, '0001_create_users/up.sql': `${FILES['001_create_users/up.sql']}-- edited\n` };

      const repaired = await manage(driver, edited).repair('1', { apply: true });
      expect(repaired.changes.map((c) => [c.version, c.newChecksum])).toEqual([
        ['0001', checksumOf(edited['0001_create_users/up.sql'] ?? '')],
      ]);
      const baseline = await manage(driver, edited).baseline('0002', { apply: true });
      expect(baseline.marked.map((m) => m.version)).toEqual(['0002']);
      expect(baseline.alreadyApplied.map((m) => m.version)).toEqual(['0001']);
      await driver.close();
      expect((await savedHistory()).map((row) => [row.version, row.checksum])).toEqual([
        ['001', checksumOf(edited['0001_create_users/up.sql'] ?? '')],
        ['0002', checksumOf(FILES['002_create_posts/up.sql'] ?? '')],
      ]);
    });

    it('compares checksums without regard to case: an upper-case checksum is no mismatch and needs no repair', async () => {
      const driver = await openDriver();
      await manage(driver).migrate();
      await edit(driver, 'UPDATE schema_migrations SET checksum = upper(checksum)');
      const history = await historyOf(driver);
      const manager = manage(driver);

      expect((await manager.status()).problems).toEqual([]);
      expect((await manager.migrate()).steps).toEqual([]);
      expect(await manager.repair(undefined, { apply: true })).toEqual({
        dryRun: false,
        changes: [],
        skipped: [],
        duplicates: [],
      });
      expect(await manager.repair('002')).toEqual({ dryRun: true, changes: [], skipped: [], duplicates: [] });
      expect(await manager.baseline('002')).toMatchObject({
        marked: [],
        alreadyApplied: [{ version: '001' }, { version: '002' }],
      });
      expect(await historyOf(driver)).toEqual(history);
    });

    describe('duplicate rows, in a history table made without a PRIMARY KEY', () => {
      /**
       * Migrates, then remakes the history table without a PRIMARY KEY as another tool might, with a second row for
       * 001 (applied later) and a row for 002 spelled 0002.
       */
      const withDuplicates = async (): Promise<Driver> => {
        const driver = await openDriver();
        await manage(driver).migrate();
        await edit(
          driver,
          `UPDATE schema_migrations SET applied_at = '2025-01-15 10:30:00';
           CREATE TABLE copied AS SELECT * FROM schema_migrations;
           DROP TABLE schema_migrations;
           ALTER TABLE copied RENAME TO schema_migrations;
           INSERT INTO schema_migrations (version, name, applied_at, checksum, duration_ms)
             SELECT version, name, '2025-01-16 09:00:00', checksum, 1 FROM schema_migrations WHERE version = '001';
           INSERT INTO schema_migrations (version, name, applied_at, checksum, duration_ms)
             SELECT '0002', name, '2025-01-17 09:00:00', checksum, 2 FROM schema_migrations WHERE version = '002';`,
        );
        return driver;
      };

      it('are reported by status and validate, once per version, naming each row', async () => {
        const manager = manage(await withDuplicates());
        const status = await manager.status();
        expect(status.applied.map((row) => row.version)).toEqual(['001', '002', '003', '001', '0002']);
        expect(status.pending).toEqual([]);
        expect(status.problems.map((p) => [p.code, p.version])).toEqual([
          ['DUPLICATE_HISTORY', '001'],
          ['DUPLICATE_HISTORY', '002'],
        ]);
        expect(status.problems[1]?.message).toBe(
          'the history records migration 002 (create_posts) in 2 rows: 002 applied 2025-01-15 10:30:00, 0002 applied 2025-01-17 09:00:00; repair keeps the oldest and removes the others',
        );
        expect((await manager.validate()).problems.map((p) => p.code)).toEqual(['DUPLICATE_HISTORY', 'DUPLICATE_HISTORY']);
        expect((await manager.stats()).health.status).toBe('error');
      });

      it('refuse migrate and rollback before anything runs', async () => {
        const driver = await withDuplicates();
        const manager = manage(driver, { ...FILES, '004_create_labels/up.sql': 'CREATE TABLE labels (id INTEGER);\n' });
        const schema = await schemaOf(driver);
        const history = await historyOf(driver);

        const migrate = await manager.migrate().catch((error: unknown) => error);
        expect(migrate).toBeInstanceOf(ValidationError);
        expect(migrate).toMatchObject({ code: 'VALIDATION_FAILED' });
        expect((migrate as ValidationError).problems.map((p) => p.code)).toEqual(['DUPLICATE_HISTORY', 'DUPLICATE_HISTORY']);
        await expect(manager.migrate({ ignoreMissing: true })).rejects.toBeInstanceOf(ValidationError);
        const rollback = await manager.rollback('003').catch((error: unknown) => error);
        expect(rollback).toBeInstanceOf(StrataError);
        expect((rollback as ValidationError).problems.map((p) => p.version)).toEqual(['001', '002']);
        expect(await schemaOf(driver)).toEqual(schema);
        expect(await historyOf(driver)).toEqual(history);
      });

      it('are removed by repair, all but the oldest row of each version, in one transaction and only with apply', async () => {
        const driver = await withDuplicates();
        const history = await historyOf(driver);
        const row = (version: string, appliedAt: string, checksum: string, durationMs?: number) => ({
          version,
          name: version.endsWith('1') ? 'create_users' : 'create_posts',
          appliedAt,
          checksum,
          ...(durationMs === undefined ? {} : { durationMs }),
        });
        const users = checksumOf(FILES['001_create_users/up.sql'] ?? '');
        const posts = checksumOf(FILES['002_create_posts/up.sql'] ?? '');

        const preview = await manage(driver).repair();
        expect(preview).toEqual({
          dryRun: true,
          changes: [],
          skipped: [],
          duplicates: [
            {
              kept: row('001', '2025-01-15 10:30:00', users, expect.any(Number) as number),
              removed: [row('001', '2025-01-16 09:00:00', users, 1)],
            },
            {
              kept: row('002', '2025-01-15 10:30:00', posts, expect.any(Number) as number),
              removed: [row('0002', '2025-01-17 09:00:00', posts, 2)],
            },
          ],
        });
        expect(await historyOf(driver)).toEqual(history);

        const failing = new MigrationManager({ driver: failingDriver(driver, 'DELETE', 2), migrations: FILES });
        await expect(failing.repair(undefined, { apply: true })).rejects.toThrow(/simulated/);
        expect(await historyOf(driver)).toEqual(history);
        expect(driver.inTransaction()).toBe(false);

        expect(await manage(driver).repair(undefined, { apply: true })).toEqual({ ...preview, dryRun: false });
        await driver.close();
        const saved = await savedHistory();
        expect(saved.map((r) => r.version)).toEqual(['001', '002', '003']);

        const manager = manage(await openDriver(), {
          ...FILES,
          '004_create_labels/up.sql': 'CREATE TABLE labels (id INTEGER);\n',
        });
        expect((await manager.status()).problems).toEqual([]);
        expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['004', 'applied']]);
      });

      it('of one version are removed by a repair naming it, with its checksum', async () => {
        const driver = await withDuplicates();
        const edited = { ...FILES, '001_create_users/up.sql': `${FILES['001_create_users/up.sql']}-- edited\n` };
        const report = await manage(driver, edited).repair('001', { apply: true });
        expect(report.changes.map((c) => c.version)).toEqual(['001']);
        expect(report.duplicates.map((d) => d.removed.map((r) => r.version))).toEqual([['001']]);
        await driver.close();
        expect(
          (await savedHistory()).map((r) => [r.version, r.checksum === checksumOf(edited['001_create_users/up.sql'] ?? '')]),
        ).toEqual([
          ['001', true],
          ['002', false],
          ['003', false],
          ['0002', false],
        ]);
      });
    });
  });
}
