import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checksumOf, type DriverFactory, ValidationError } from '@strata/core';
import { type ManyProgress, type MigrateResult, migrateMany, statusMany, validateMany } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyOf, makeTempDir, writeFiles } from './fixtures.js';

const FILES = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '002_create_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id));\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);\n',
  '003_add_tags/down.sql': 'DROP TABLE tags;\n',
};
const TENANTS = 30;

/**
 * Runs over many databases (`migrateMany`, `statusMany`, `validateMany`), on worker threads and on the main thread,
 * with the driver package's factory.
 */
export function describeManyContract(name: string, factory: DriverFactory): void {
  describe(`many databases: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dir: string;
    let tenants: string[];
    const tenant = (i: number) => join(temp.path, 'tenants', `t${String(i).padStart(2, '0')}.db`);
    const history = async (file: string) => {
      const driver = await factory.open(file);
      try {
        return (await historyOf(driver)).map((row) => row.version);
      } finally {
        await driver.close();
      }
    };
    const exec = async (file: string, sql: string) => {
      const driver = await factory.open(file);
      try {
        await driver.exec(sql);
        await driver.persist?.();
      } finally {
        await driver.close();
      }
    };

    beforeEach(() => {
      temp = makeTempDir();
      dir = join(temp.path, 'migrations');
      writeFiles(dir, FILES);
      mkdirSync(join(temp.path, 'tenants'));
      tenants = Array.from({ length: TENANTS }, (_, i) => tenant(i));
    });
    afterEach(() => temp.remove());

    for (const concurrency of [1, 2]) {
      it(`migrates every tenant, each in its own run, and closes every connection (concurrency ${concurrency})`, async () => {
        const seen: ManyProgress<MigrateResult>[] = [];
        const report = await migrateMany({
          targets: tenants,
          migrations: dir,
          driver: factory,
          concurrency,
          onProgress: (p) => seen.push(p),
        });
        expect(report.results.map((r) => r.file)).toEqual(tenants);
        for (const row of report.results) {
          expect(row).toMatchObject({ result: 'migrated', from: null, to: '003', applied: 3 });
          expect(row.error).toBeUndefined();
        }
        expect(seen.map((p) => p.done)).toEqual(tenants.map((_, i) => i + 1));
        expect(seen.at(-1)).toMatchObject({ total: TENANTS, failed: 0 });
        for (const file of [tenants[0], tenants[TENANTS - 1]])
          expect(await history(file as string)).toEqual(['001', '002', '003']);
        // A connection left open would leave its -wal, -shm or Strata's lock beside the database.
        expect(readdirSync(join(temp.path, 'tenants')).filter((f) => !f.endsWith('.db'))).toEqual([]);

        const again = await migrateMany({ targets: tenants, migrations: dir, driver: factory, concurrency });
        expect(new Set(again.results.map((r) => `${r.result} ${r.from} ${r.to}`))).toEqual(new Set(['up-to-date 003 003']));
      });
    }

    it('a tenant whose 002 fails fails alone: its 001 stays applied, and every other tenant finishes', async () => {
      const broken = tenant(7);
      await exec(broken, 'CREATE TABLE posts (id INTEGER PRIMARY KEY);');
      const report = await migrateMany({ targets: tenants, migrations: dir, driver: factory, concurrency: 2 });
      const failed = report.results.filter((r) => r.result === 'failed');
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ file: broken, from: null, to: '001', applied: 1 });
      expect(failed[0]?.error).toMatchObject({ code: 'MIGRATION_FAILED', version: '002' });
      expect(failed[0]?.error?.message).toContain('table posts already exists');
      expect(report.results.filter((r) => r.result === 'migrated')).toHaveLength(TENANTS - 1);
      expect(await history(broken)).toEqual(['001']);
      expect(await history(tenant(8))).toEqual(['001', '002', '003']);
    });

    it('a file that is not a database, or a folder, is a failed row naming the file and the error, never a crash', async () => {
      writeFileSync(
        tenant(3),
        'this is not a SQLite database, only text long enough to fill a header of one hundred bytes or so',
      );
      mkdirSync(tenant(4));
      const report = await migrateMany({ targets: tenants.slice(0, 6), migrations: dir, driver: factory, concurrency: 2 });
      expect(report.results.map((r) => r.result)).toEqual(['migrated', 'migrated', 'migrated', 'failed', 'failed', 'migrated']);
      for (const row of report.results.filter((r) => r.result === 'failed')) {
        expect(row.error?.code).toBe('DATABASE_ERROR');
        expect(row.error?.message).toContain(row.file);
      }
      expect(report.results[3]?.error?.message).toMatch(/not a database/);
    });

    for (const concurrency of [1, 2]) {
      it(`with failFast, no tenant starts after a failure; those are skipped and untouched (concurrency ${concurrency})`, async () => {
        // Every tenant but the first is a fresh one to migrate, so the other thread cannot get through them all
        // before the first one's failure comes in, however loaded the machine.
        const targets = concurrency === 1 ? tenants.slice(0, 10) : tenants;
        await exec(targets[0] as string, 'CREATE TABLE posts (id INTEGER PRIMARY KEY);');
        const report = await migrateMany({ targets, migrations: dir, driver: factory, concurrency, failFast: true });
        expect(report.results[0]).toMatchObject({ result: 'failed', to: '001' });
        const skipped = report.results.filter((r) => r.result === 'skipped');
        if (concurrency === 1) expect(skipped).toHaveLength(targets.length - 1);
        // Other threads go on with what they started before the failure came in, and take nothing new after it.
        else expect(skipped.length).toBeGreaterThan(0);
        expect(report.results.slice(report.results.length - skipped.length)).toEqual(skipped);
        for (const row of skipped) {
          expect(row).toMatchObject({ from: null, to: null, applied: 0 });
          expect(existsSync(row.file)).toBe(false);
        }
      });
    }

    for (const concurrency of [1, 2]) {
      it(`reads the migrations once: a folder changed while the run goes on changes nothing (concurrency ${concurrency})`, async () => {
        let changed = false;
        const report = await migrateMany({
          targets: tenants.slice(0, 8),
          migrations: dir,
          driver: factory,
          concurrency,
          onProgress: () => {
            if (changed) return;
            changed = true;
            writeFiles(dir, {
              '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT, color TEXT);\n',
              '004_more/up.sql': 'CREATE TABLE more (id INTEGER PRIMARY KEY);\n',
            });
          },
        });
        expect(new Set(report.results.map((r) => `${r.result} ${r.to}`))).toEqual(new Set(['migrated 003']));
        expect(report.migrations.count).toBe(3);
        const driver = await factory.open(tenant(7));
        try {
          const rows = await historyOf(driver);
          expect(rows.map((r) => r.checksum)).toEqual([
            checksumOf(FILES['001_create_users/up.sql']),
            checksumOf(FILES['002_create_posts/up.sql']),
            checksumOf(FILES['003_add_tags/up.sql']),
          ]);
        } finally {
          await driver.close();
        }
      });
    }

    it('a folder with problems is refused before any database is opened', async () => {
      writeFiles(dir, { '002_create_posts/meta.yaml': 'dependencies: ["009"]\n' });
      await expect(migrateMany({ targets: tenants, migrations: dir, driver: factory })).rejects.toThrow(ValidationError);
      expect(readdirSync(join(temp.path, 'tenants'))).toEqual([]);
    });

    it('statusMany and validateMany: versions, pending counts, checksum mismatches and files that cannot be read', async () => {
      const [current, behind, edited, missing] = [tenant(0), tenant(1), tenant(2), tenant(3)];
      await migrateMany({ targets: [current, edited], migrations: dir, driver: factory, concurrency: 1 });
      await migrateMany({ targets: [behind], migrations: dir, driver: factory, to: '001' });
      await exec(edited, "UPDATE schema_migrations SET checksum = 'x' WHERE version = '002'");
      const targets = [current, behind, edited, missing];
      for (const concurrency of [1, 2]) {
        const status = await statusMany({ targets, migrations: dir, driver: factory, concurrency });
        expect(status.results.map((r) => [r.result, r.version, r.applied, r.pending])).toEqual([
          ['current', '003', 3, 0],
          ['behind', '001', 1, 2],
          ['problems', '003', 3, 0],
          ['failed', null, 0, 0],
        ]);
        expect(status.results[2]?.problems.map((p) => [p.code, p.version])).toEqual([['CHECKSUM_MISMATCH', '002']]);
        expect(status.results[3]?.problems[0]).toMatchObject({
          code: 'DATABASE_ERROR',
          message: `database ${missing} does not exist`,
        });
        const validation = await validateMany({ targets, migrations: dir, driver: factory, concurrency });
        expect(validation.results.map((r) => r.result)).toEqual(['current', 'behind', 'problems', 'failed']);
        expect(validation.results[2]?.problems[0]?.code).toBe('CHECKSUM_MISMATCH');
      }
      // Neither creates a file.
      expect(existsSync(missing)).toBe(false);
    });
  });
}
