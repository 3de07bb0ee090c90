import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { checksumOf, type Driver, MigrationManager, StrataError } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { failingDriver, historyOf, makeTempDir, schemaOf, tablesOf } from './fixtures.js';

const FILES = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '002_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '002_create_posts/meta.yaml': 'dependencies: ["001"]\n',
  '003_create_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
  '003_create_tags/down.sql': 'DROP TABLE tags;\n',
  '004_index_posts/up.sql': 'CREATE INDEX idx_posts_user ON posts (user_id);\n',
  '004_index_posts/meta.yaml': 'dependencies: ["002"]\n',
};

/** MD5 hex of the text as it is, as a tool that hashes raw file bytes records it. */
const rawMd5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

/**
 * The recovery tools through a real driver: `repair` re-records checksums, `baseline` marks migrations applied
 * without running them; both change nothing without `apply`, and write all their rows in one transaction, saved
 * for drivers that keep the database in memory. A driver's test file calls this with a way to open it.
 */
export function describeRecoveryContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`recovery contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dbPath: string;
    const opened: Driver[] = [];
    const openDriver = async () => {
      const driver = await open(dbPath);
      opened.push(driver);
      return driver;
    };
    const manage = (driver: Driver, files: Record<string, string> = FILES) => new MigrationManager({ driver, migrations: files });
    /** The history as a fresh connection reads it from the file: what was saved, not what one connection holds. */
    const savedHistory = async () => {
      const driver = await openDriver();
      try {
        return await historyOf(driver);
      } finally {
        await driver.close();
      }
    };

    beforeEach(() => {
      temp = makeTempDir();
      dbPath = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('repair re-records the checksum of an applied migration after an edit, only with apply', async () => {
      const driver = await openDriver();
      await manage(driver).migrate({ to: '002' });
      const edited = { ...FILES, '002_create_posts/up.sql': `${FILES['002_create_posts/up.sql']}-- posts belong to users\n` };
      const manager = manage(driver, edited);
      const before = await historyOf(driver);

      const preview = await manager.repair('002');
      expect(preview).toEqual({
        dryRun: true,
        changes: [
          {
            version: '002',
            name: 'create_posts',
            folder: '002_create_posts',
            oldChecksum: checksumOf(FILES['002_create_posts/up.sql']),
            newChecksum: checksumOf(edited['002_create_posts/up.sql']),
            difference: 'edited',
          },
        ],
        skipped: [],
        duplicates: [],
      });
      expect(await historyOf(driver)).toEqual(before);
      expect((await manager.validate()).problems.map((p) => p.code)).toEqual(['CHECKSUM_MISMATCH']);

      expect(await manager.repair('002', { apply: true })).toEqual({ ...preview, dryRun: false });
      expect((await manager.validate()).problems).toEqual([]);
      await driver.close();
      expect((await savedHistory()).map((row) => [row.version, row.checksum])).toEqual([
        ['001', checksumOf(FILES['001_create_users/up.sql'])],
        ['002', checksumOf(edited['002_create_posts/up.sql'])],
      ]);
      expect(await manage(await openDriver(), edited).repair('002', { apply: true })).toEqual({
        dryRun: false,
        changes: [],
        skipped: [],
        duplicates: [],
      });
    });

    it('repair refuses a version that is not applied, or that no migration has', async () => {
      const manager = manage(await openDriver());
      await manager.migrate({ to: '001' });
      await expect(manager.repair('002', { apply: true })).rejects.toMatchObject({ code: 'NOT_APPLIED', version: '002' });
      await expect(manager.repair('042', { apply: true })).rejects.toMatchObject({ code: 'UNKNOWN_VERSION', version: '042' });
    });

    it('repair without a version re-stamps rows written with CRLF or a BOM, in one transaction, and leaves edits alone', async () => {
      const driver = await openDriver();
      await manage(driver).migrate();
      const crlf = FILES['001_create_users/up.sql'].replace(/\n/g, '\r\n');
      const bom = `\ufeff${FILES['003_create_tags/up.sql']}`;
      // As an older tool recorded them: MD5 of the raw bytes, CRLF and BOM included.
      await driver.run('UPDATE schema_migrations SET checksum = ? WHERE version = ?', [rawMd5(crlf), '001']);
      await driver.run('UPDATE schema_migrations SET checksum = ? WHERE version = ?', [rawMd5(bom), '003']);
      await driver.run('UPDATE schema_migrations SET checksum = ? WHERE version = ?', ['0'.repeat(32), '002']);
      await driver.persist?.();
      const before = await historyOf(driver);

      const failing = new MigrationManager({ driver: failingDriver(driver, 'UPDATE', 2), migrations: FILES });
      await expect(failing.repair(undefined, { apply: true })).rejects.toThrow(/simulated/);
      expect(await historyOf(driver)).toEqual(before);
      expect(driver.inTransaction()).toBe(false);

      const report = await manage(driver).repair(undefined, { apply: true });
      expect(report.changes.map((c) => [c.version, c.oldChecksum, c.newChecksum, c.difference])).toEqual([
        ['001', rawMd5(crlf), checksumOf(crlf), 'line-endings'],
        ['003', rawMd5(bom), checksumOf(bom), 'line-endings'],
      ]);
      expect(report.skipped.map((c) => [c.version, c.difference])).toEqual([['002', 'edited']]);
      expect((await manage(driver).validate()).problems.map((p) => [p.code, p.version])).toEqual([['CHECKSUM_MISMATCH', '002']]);
      await driver.close();
      expect((await savedHistory()).map((row) => row.checksum)).toEqual([
        checksumOf(crlf),
        '0'.repeat(32),
        checksumOf(bom),
        checksumOf(FILES['004_index_posts/up.sql']),
      ]);
    });

    it('baseline marks a version and what it depends on as applied without running them', async () => {
      const driver = await openDriver();
      // A database made before Strata: the schema of 001 and 002, no history table.
      await driver.exec(`${FILES['001_create_users/up.sql']}${FILES['002_create_posts/up.sql']}`);
      await driver.persist?.();
      const schema = await schemaOf(driver);
      const manager = manage(driver);

      const preview = await manager.baseline('2');
      expect(preview).toEqual({
        dryRun: true,
        version: '002',
        marked: [
          {
            version: '001',
            name: 'create_users',
            folder: '001_create_users',
            checksum: checksumOf(FILES['001_create_users/up.sql']),
          },
          {
            version: '002',
            name: 'create_posts',
            folder: '002_create_posts',
            checksum: checksumOf(FILES['002_create_posts/up.sql']),
          },
        ],
        alreadyApplied: [],
      });
      expect(await schemaOf(driver)).toEqual(schema);

      expect(await manager.baseline('002', { apply: true })).toEqual({ ...preview, dryRun: false });
      expect(await tablesOf(driver)).toEqual(['posts', 'schema_migrations', 'users']);
      const rows = await driver.query<{ version: string; duration_ms: number | null }>(
        'SELECT version, duration_ms FROM schema_migrations ORDER BY version',
      );
      expect(rows).toEqual([
        { version: '001', duration_ms: null },
        { version: '002', duration_ms: null },
      ]);
      const status = await manager.status();
      expect(status.pending.map((m) => m.version)).toEqual(['003', '004']);
      expect(status.problems).toEqual([]);

      expect((await manager.baseline('004')).marked.map((m) => m.version)).toEqual(['004']);
      expect((await manager.baseline('004')).alreadyApplied.map((m) => m.version)).toEqual(['001', '002']);
      const report = await manager.migrate();
      expect(report.steps.map((s) => [s.version, s.status])).toEqual([
        ['003', 'applied'],
        ['004', 'applied'],
      ]);
      await driver.close();
      expect((await savedHistory()).map((row) => row.version)).toEqual(['001', '002', '003', '004']);
    });

    it('baseline refuses an unknown version, and a migration applied with another checksum, changing nothing', async () => {
      const driver = await openDriver();
      const manager = manage(driver);
      await expect(manager.baseline('042', { apply: true })).rejects.toMatchObject({ code: 'UNKNOWN_VERSION' });
      await manager.migrate({ to: '001' });
      await driver.run("UPDATE schema_migrations SET checksum = 'x' WHERE version = '001'");
      await driver.persist?.();
      const before = await historyOf(driver);
      const refused = await manager.baseline('002', { apply: true }).catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(StrataError);
      expect(refused).toMatchObject({ code: 'CHECKSUM_MISMATCH', version: '001', file: '001_create_users/up.sql' });
      expect(await historyOf(driver)).toEqual(before);
    });

    it('baseline writes every row or none, the history table included', async () => {
      const driver = await openDriver();
      await driver.exec(FILES['001_create_users/up.sql']);
      const failing = new MigrationManager({ driver: failingDriver(driver, 'INSERT', 2), migrations: FILES });
      await expect(failing.baseline('002', { apply: true })).rejects.toThrow(/simulated/);
      expect(await tablesOf(driver)).toEqual(['users']);
      expect(driver.inTransaction()).toBe(false);
    });
  });
}
