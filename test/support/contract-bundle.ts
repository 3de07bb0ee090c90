import { join } from 'node:path';
import {
  checkSet,
  checksumOf,
  type Driver,
  MigrationManager,
  type PrecomputedMigrations,
  parseMigrationFiles,
  precomputeMigrations,
} from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyOf, makeTempDir, schemaOf } from './fixtures.js';

const FILES: Readonly<Record<string, string>> = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\r\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '001_create_users/meta.yaml': 'description: Users\n',
  '002_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '002_create_posts/meta.yaml': 'dependencies: ["1"]\n',
  '010_create_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n',
};

/** The bundle of `files` as an application imports it: the JSON a bundle module holds, read back. */
function bundleOf(files: Readonly<Record<string, string>>): PrecomputedMigrations {
  return JSON.parse(JSON.stringify(precomputeMigrations(parseMigrationFiles(files)))) as PrecomputedMigrations;
}

/**
 * A precomputed bundle (what `strata bundle` writes) given to `MigrationManager` migrates and reports exactly as the
 * folder it was made from, and its checksums are used as they are. A driver's test file calls this with a way to
 * open it.
 */
export function describeBundleContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`precomputed bundle contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    const opened: Driver[] = [];
    const openDriver = async (file = 'app.db') => {
      const driver = await open(join(temp.path, file));
      opened.push(driver);
      return driver;
    };
    beforeEach(() => {
      temp = makeTempDir();
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('migrates, reports status and does nothing the second time, as the folder it was made from', async () => {
      const [fromBundle, fromFiles] = [await openDriver('bundle.db'), await openDriver('files.db')];
      const bundled = new MigrationManager({ driver: fromBundle, migrations: bundleOf(FILES) });
      const folder = new MigrationManager({ driver: fromFiles, migrations: FILES });
      expect((await bundled.status()).pending).toEqual([
        { version: '001', name: 'create_users' },
        { version: '002', name: 'create_posts' },
        { version: '010', name: 'create_tags' },
      ]);
      const report = await bundled.migrate();
      expect(report.steps.map((s) => [s.version, s.status])).toEqual([
        ['001', 'applied'],
        ['002', 'applied'],
        ['010', 'applied'],
      ]);
      await folder.migrate();
      expect(await schemaOf(fromBundle)).toEqual(await schemaOf(fromFiles));
      const strip = (rows: Awaited<ReturnType<typeof historyOf>>) => rows.map((r) => [r.version, r.name, r.checksum]);
      expect(strip(await historyOf(fromBundle))).toEqual(strip(await historyOf(fromFiles)));
      expect((await historyOf(fromBundle))[0]?.checksum).toBe(checksumOf(FILES['001_create_users/up.sql'] ?? ''));
      const status = await bundled.status();
      expect(status.pending).toEqual([]);
      expect(status.problems).toEqual([]);
      expect(status.applied.map((a) => a.version)).toEqual(['001', '002', '010']);
      expect((await bundled.migrate()).steps).toEqual([]);
      // A database the folder migrated is the bundle's too, and the other way round.
      expect((await new MigrationManager({ driver: fromFiles, migrations: bundleOf(FILES) }).status()).problems).toEqual([]);
      expect((await new MigrationManager({ driver: fromBundle, migrations: FILES }).migrate()).steps).toEqual([]);
    });

    it('takes no lock for a run with nothing to do on a driver that writes through, and the lock for one with work', async () => {
      const driver = await openDriver();
      const lock = driver.exclusive;
      let locks = 0;
      const counted: Driver =
        lock === undefined
          ? driver
          : {
              ...driver,
              exclusive: (work, options) => {
                locks++;
                return lock(work, options);
              },
            };
      const manager = new MigrationManager({ driver: counted, migrations: bundleOf(FILES) });
      expect((await manager.migrate({ to: '002' })).steps).toHaveLength(2);
      const first = locks;
      expect(first).toBe(lock === undefined ? 0 : 1);
      expect((await manager.migrate()).steps.map((s) => s.version)).toEqual(['010']);
      expect(locks).toBe(first * 2);
      expect((await manager.migrate()).steps).toEqual([]);
      // A driver that keeps the database in memory (persist) looks again under the lock, where it reloads the file.
      expect(locks).toBe(driver.persist === undefined ? first * 2 : first * 3);
    });

    it('rolls back with the down.sql the bundle holds', async () => {
      const driver = await openDriver();
      const manager = new MigrationManager({ driver, migrations: bundleOf(FILES) });
      await manager.migrate();
      const report = await manager.rollback('002');
      expect(report.steps.map((s) => [s.version, s.status])).toEqual([['002', 'rolled-back']]);
      expect((await historyOf(driver)).map((r) => r.version)).toEqual(['001', '010']);
    });

    it('takes the checksums as they are: a checksum that is not the MD5 of its up.sql is recorded and compared as given', async () => {
      const bundle = bundleOf(FILES);
      const given = 'c0ffee00c0ffee00c0ffee00c0ffee00';
      const [first, ...rest] = bundle.migrations;
      const tampered = { ...bundle, migrations: [{ ...first, checksum: given } as (typeof rest)[number], ...rest] };
      const driver = await openDriver();
      await new MigrationManager({ driver, migrations: tampered }).migrate();
      expect((await historyOf(driver))[0]?.checksum).toBe(given);
      // The folder's own checksum then differs from the one recorded: the folder is what is checked against it.
      const status = await new MigrationManager({ driver, migrations: FILES }).status();
      expect(status.problems.map((p) => [p.code, p.version])).toEqual([['CHECKSUM_MISMATCH', '001']]);
      expect(status.problems[0]?.message).toContain(`was applied with checksum ${given} but the file now has`);
    });

    it('refuses a bundle of another format version with INVALID_BUNDLE, before anything runs', async () => {
      const driver = await openDriver();
      const newer = { ...bundleOf(FILES), formatVersion: 2 };
      expect(() => new MigrationManager({ driver, migrations: newer })).toThrow(
        expect.objectContaining({
          code: 'INVALID_BUNDLE',
          message:
            'the migrations bundle is in format 2, but this version of Strata reads format 1: upgrade Strata, or write the bundle again with "strata bundle --out <file>"',
        }),
      );
      const older = { ...bundleOf(FILES), formatVersion: 0 };
      expect(() => new MigrationManager({ driver, migrations: older })).toThrow(
        'the migrations bundle is in format 0, but this version of Strata reads format 1: write the bundle again with "strata bundle --out <file>"',
      );
      expect(await schemaOf(driver)).toEqual([]);
    });

    it('holds the order, meta and checksums the folder gives', () => {
      const set = parseMigrationFiles(FILES);
      const checked = checkSet(set);
      const bundle = bundleOf(FILES);
      expect(bundle.order).toEqual(checked.order.map((m) => m.version));
      expect(bundle.migrations.map((m) => [m.version, m.checksum, m.meta])).toEqual(
        checked.order.map((m) => [m.version, m.checksum, m.meta]),
      );
      expect(bundle.migrations[1]?.meta.dependencies).toEqual(['001']);
    });
  });
}
