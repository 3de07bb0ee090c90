import { MigrationManager, RunError, type RunReport, StrataError } from '@strata/core';
import { readMigrationsFolder } from '@strata/core/node';
import {
  type BrowserDatabase,
  indexedDbStorage,
  inPageLocks,
  openBrowserDatabase,
  openIndexedDbDriver,
  type SqlJsSharedDriver,
  type WebLocks,
} from '@strata/driver-sqljs/browser';
import { IDBFactory } from 'fake-indexeddb';
import initSqlJs from 'sql.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BUILT_IN_MIGRATIONS } from '../../../test/support/fixtures.js';

const SQL = await initSqlJs();
const FILES = await readMigrationsFolder(BUILT_IN_MIGRATIONS);
const BROKEN = {
  '004_broken/up.sql': 'ALTER TABLE domains ADD COLUMN colour TEXT;\nINSERT INTO nowhere VALUES (1);\n',
  '004_broken/meta.yaml': 'dependencies: ["003"]\n',
};

const opened: BrowserDatabase[] = [];
/** A tab: its own in-memory database over the shared IndexedDB, kept apart from other tabs by `locks`. */
async function openTab(locks: WebLocks, extra: Record<string, string> = {}): Promise<BrowserDatabase> {
  const db = await openBrowserDatabase({ name: 'app', sqlJs: SQL, migrations: { ...FILES, ...extra }, locks });
  opened.push(db);
  return db;
}
const applied = (report: RunReport) => report.steps.filter((step) => step.status === 'applied').map((step) => step.version);

/** The history rows of the database stored under `app`, read straight from IndexedDB. */
async function storedHistory(): Promise<string[]> {
  const bytes = await indexedDbStorage({ key: 'app' }).load();
  if (bytes === undefined) return [];
  const db = new SQL.Database(bytes);
  try {
    if (db.exec("SELECT 1 FROM sqlite_master WHERE name = 'schema_migrations'").length === 0) return [];
    return (db.exec('SELECT version FROM schema_migrations ORDER BY rowid')[0]?.values ?? []).map((row) => String(row[0]));
  } finally {
    db.close();
  }
}

/** The slugs of the domains table of the database stored under `app`, read straight from IndexedDB. */
async function storedDomains(): Promise<string[]> {
  const bytes = await indexedDbStorage({ key: 'app' }).load();
  const db = new SQL.Database(bytes);
  try {
    return (db.exec('SELECT slug FROM domains')[0]?.values ?? []).map((row) => String(row[0]));
  } finally {
    db.close();
  }
}

beforeEach(() => {
  vi.stubGlobal('indexedDB', new IDBFactory());
});
afterEach(async () => {
  await Promise.all(opened.splice(0).map((db) => db.close()));
  vi.unstubAllGlobals();
});

describe('indexedDbStorage', () => {
  it('holds nothing at first, then the last bytes saved under its key', async () => {
    const storage = indexedDbStorage({ key: 'a' });
    expect(await storage.load()).toBeUndefined();
    await storage.save(new Uint8Array([1, 2, 3]));
    await storage.save(new Uint8Array([4, 5]));
    expect(await storage.load()).toEqual(new Uint8Array([4, 5]));
    expect(await indexedDbStorage({ key: 'b' }).load()).toBeUndefined();
    expect(await indexedDbStorage({ database: 'other', key: 'a' }).load()).toBeUndefined();
  });

  it('tells whether another storage on the same key saved since it last loaded or saved', async () => {
    const mine = indexedDbStorage({ key: 'a' });
    const theirs = indexedDbStorage({ key: 'a' });
    expect(await mine.load()).toBeUndefined();
    expect(await mine.changed()).toBe(false);
    await theirs.save(new Uint8Array([1]));
    expect(await mine.changed()).toBe(true);
    await mine.load();
    expect(await mine.changed()).toBe(false);
    await mine.save(new Uint8Array([2]));
    expect(await mine.changed()).toBe(false);
    expect(await theirs.changed()).toBe(true);
  });

  it('stores only the bytes a view shows, not its whole buffer', async () => {
    const storage = indexedDbStorage({ key: 'a' });
    await storage.save(new Uint8Array([9, 1, 2, 9]).subarray(1, 3));
    expect(await storage.load()).toEqual(new Uint8Array([1, 2]));
  });

  it('fails on a key that holds something other than bytes, and without IndexedDB', async () => {
    const other = indexedDbStorage({ key: 'a' });
    await other.save(new Uint8Array([1]));
    const request = indexedDB.open('strata', 1);
    await new Promise((resolve) => {
      request.onsuccess = resolve;
    });
    const transaction = request.result.transaction('databases', 'readwrite');
    transaction.objectStore('databases').put('text', 'a');
    await new Promise((resolve) => {
      transaction.oncomplete = resolve;
    });
    request.result.close();
    await expect(other.load()).rejects.toThrow(/holds a string, not the bytes of a SQLite database/);

    vi.stubGlobal('indexedDB', undefined);
    await expect(other.load()).rejects.toThrow(/has no IndexedDB/);
  });
});

describe('openIndexedDbDriver', () => {
  const drivers: SqlJsSharedDriver[] = [];
  afterEach(async () => {
    await Promise.all(drivers.splice(0).map((driver) => driver.close()));
  });
  /** A tab's driver over the shared IndexedDB, and a plain manager over it. */
  async function managerOf(locks: WebLocks, migrations: Record<string, string> = FILES): Promise<MigrationManager> {
    const driver = await openIndexedDbDriver({ name: 'app', sqlJs: SQL, locks });
    drivers.push(driver);
    return new MigrationManager({ driver, migrations });
  }

  it('lets two tabs with a plain MigrationManager migrating at once apply each migration once', async () => {
    const locks = inPageLocks();
    const [a, b] = await Promise.all([managerOf(locks), managerOf(locks)]);
    const reports = await Promise.all([a.migrate(), b.migrate()]);
    expect(reports.flatMap(applied).sort()).toEqual(['001', '002', '003']);
    expect(reports.map((report) => applied(report).length).sort()).toEqual([0, 3]);
    expect(await storedHistory()).toEqual(['001', '002', '003']);
  });

  it('reloads what another tab saved before a manager writes, and refuses to drop unsaved changes', async () => {
    const locks = inPageLocks();
    const stale = await managerOf(locks);
    await (await managerOf(locks)).migrate();
    const [driver] = drivers as [SqlJsSharedDriver];
    expect(applied(await stale.migrate())).toEqual([]);
    expect((await stale.status()).applied.map((m) => m.version)).toEqual(['001', '002', '003']);

    await driver.run("INSERT INTO domains (slug, name) VALUES ('design', 'Design')"); // not saved
    await (await managerOf(locks)).rollback('003');
    await expect(stale.rollback('002')).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: expect.stringContaining('was saved by another tab since this one loaded it'),
    });
    expect(await storedHistory()).toEqual(['001', '002']);
  });

  it('runs persist() and exclusive() called inside exclusive() at once, under the lock it holds', async () => {
    const locks = inPageLocks();
    const manager = await managerOf(locks);
    await manager.migrate();
    const [driver] = drivers as [SqlJsSharedDriver];
    const request = vi.spyOn(locks, 'request');
    const inner = await driver.exclusive(async () => {
      await driver.run("INSERT INTO domains (slug, name) VALUES ('design', 'Design')");
      await driver.persist();
      return driver.exclusive(async () => (await storedDomains()).includes('design'));
    });
    expect(inner).toBe(true);
    expect(request).toHaveBeenCalledTimes(1);
  });

  it('repairs and baselines under the lock, saving them for the next tab', async () => {
    const locks = inPageLocks();
    const manager = await managerOf(locks);
    const other = await managerOf(locks);
    expect((await manager.baseline('002', { apply: true })).marked.map((m) => m.version)).toEqual(['001', '002']);
    expect(await storedHistory()).toEqual(['001', '002']);

    const edited = {
      ...FILES,
      '002_add_performance_indexes/up.sql': `${FILES['002_add_performance_indexes/up.sql']}\n-- edited\n`,
    };
    const editedManager = await managerOf(locks, edited);
    expect((await other.validate()).problems).toEqual([]);
    expect((await editedManager.validate()).problems.map((p) => p.code)).toEqual(['CHECKSUM_MISMATCH']);
    expect((await editedManager.repair('002', { apply: true })).changes.map((c) => c.version)).toEqual(['002']);
    expect((await (await managerOf(locks, edited)).validate()).problems).toEqual([]);
    expect((await other.baseline('003', { apply: true })).marked.map((m) => m.version)).toEqual(['003']);
    expect(await storedHistory()).toEqual(['001', '002', '003']);
  });
});

describe('openBrowserDatabase', () => {
  it('migrates, saves to IndexedDB, and a new page finds the database as it was left', async () => {
    const locks = inPageLocks();
    const first = await openTab(locks);
    expect(applied(await first.migrate())).toEqual(['001', '002', '003']);
    expect(await storedHistory()).toEqual(['001', '002', '003']);
    const before = (await first.status()).applied;
    await first.close();

    const again = await openTab(locks);
    expect((await again.migrate()).steps).toEqual([]);
    expect((await again.status()).applied).toEqual(before);
    expect((await again.stats()).tables.map((t) => t.name)).toContain('user_preferences');
  });

  it('lets two tabs migrating at once apply each migration once', async () => {
    const locks = inPageLocks(); // one origin's navigator.locks, shared by its tabs
    const [a, b] = await Promise.all([openTab(locks), openTab(locks)]);
    const reports = await Promise.all([a.migrate(), b.migrate()]);
    expect(reports.flatMap(applied).sort()).toEqual(['001', '002', '003']);
    expect(reports.map((report) => applied(report).length).sort()).toEqual([0, 3]);
    expect(await storedHistory()).toEqual(['001', '002', '003']);
  });

  it('reloads inside the lock, so a tab with a stale copy does not overwrite what another tab saved', async () => {
    const locks = inPageLocks();
    const stale = await openTab(locks); // loaded the empty database
    const other = await openTab(locks);
    await other.migrate();
    await stale.run(async (_manager, driver) => {
      await driver.run("INSERT INTO domains (slug, name) VALUES ('design', 'Design')");
    });
    expect(await storedHistory()).toEqual(['001', '002', '003']);
    const slugs = await other.run(async (_manager, driver) =>
      driver.query('SELECT slug FROM domains WHERE slug = ?', ['design']),
    );
    expect(slugs).toEqual([{ slug: 'design' }]);
  });

  it('leaves the stored database unchanged when a migration fails, and reports the failure', async () => {
    const locks = inPageLocks();
    await (await openTab(locks)).migrate();
    const before = await indexedDbStorage({ key: 'app' }).load();
    const broken = await openTab(locks, BROKEN);
    const failure = await broken.migrate().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(RunError);
    expect(failure).toMatchObject({ code: 'MIGRATION_FAILED', version: '004' });
    expect(await indexedDbStorage({ key: 'app' }).load()).toEqual(before);
    const status = await broken.status();
    expect(status.pending.map((m) => m.version)).toEqual(['004']);
  });

  it('saves what a run changed, and nothing of a run that threw', async () => {
    const db = await openTab(inPageLocks());
    await db.migrate();
    const count = () => db.run(async (_manager, driver) => (await driver.query('SELECT count(*) AS n FROM domains'))[0]?.n);
    const initial = await count();
    await expect(
      db.run(async (_manager, driver) => {
        await driver.run("INSERT INTO domains (slug, name) VALUES ('design', 'Design')");
        throw new Error('the app changed its mind');
      }),
    ).rejects.toThrow('the app changed its mind');
    expect(await count()).toBe(initial);
    await db.run(async (_manager, driver) => driver.run("INSERT INTO domains (slug, name) VALUES ('design', 'Design')"));
    const reopened = await openTab(inPageLocks());
    expect(await reopened.run(async (_manager, driver) => (await driver.query('SELECT count(*) AS n FROM domains'))[0]?.n)).toBe(
      Number(initial) + 1,
    );
  });

  it('keeps migrations registered through run() across reloads', async () => {
    const locks = inPageLocks();
    const db = await openTab(locks);
    await db.run(async (manager) => {
      manager.registerMigration({ version: '010', name: 'add_tags', up: 'CREATE TABLE labels (id INTEGER PRIMARY KEY);' });
    });
    await (await openTab(locks)).migrate(); // another tab saves: db must reload
    expect(applied(await db.migrate())).toEqual(['010']);
  });

  it('validates, repairs and baselines through the lock, saving what repair and baseline wrote', async () => {
    const db = await openTab(inPageLocks());
    expect((await db.baseline('003')).dryRun).toBe(true);
    expect(await storedHistory()).toEqual([]);
    expect((await db.baseline('003', { apply: true })).marked.map((m) => m.version)).toEqual(['001', '003']);
    expect(await storedHistory()).toEqual(['001', '003']);

    const edited = await openTab(inPageLocks(), { '003_add_user_preferences/up.sql': 'SELECT 1;\n' });
    expect((await edited.validate()).problems).toMatchObject([{ code: 'CHECKSUM_MISMATCH', version: '003' }]);
    expect((await edited.repair('003', { apply: true })).changes).toMatchObject([{ version: '003' }]);
    expect((await edited.validate()).problems).toEqual([]);
    expect((await db.validate()).problems).toMatchObject([{ code: 'CHECKSUM_MISMATCH', version: '003' }]);
  });

  it('finds drift in the stored database when asked, replaying on sql.js in memory', async () => {
    const db = await openTab(inPageLocks());
    await db.migrate();
    expect((await db.status({ drift: true })).drift).toEqual([]);
    await db.run((_, driver) => driver.exec('CREATE INDEX idx_users_role ON users (role)'));
    expect((await db.status({ drift: true })).drift?.map((d) => d.message)).toEqual(['index idx_users_role added']);
    expect((await db.validate({ drift: true })).problems.map((p) => p.code)).toEqual(['SCHEMA_DRIFT']);
    expect(await db.status()).not.toHaveProperty('drift');
  });

  it('rolls back through the lock and saves the result', async () => {
    const db = await openTab(inPageLocks());
    await db.migrate();
    await expect(db.rollback('001')).rejects.toMatchObject({ code: 'DEPENDENTS_APPLIED' });
    expect((await db.rollback('003')).steps.map((s) => s.status)).toEqual(['rolled-back']);
    expect(await storedHistory()).toEqual(['001', '002']);
  });

  it('refuses to open without navigator.locks, and uses it when there', async () => {
    const open = () => openBrowserDatabase({ name: 'app', sqlJs: SQL, migrations: {} });
    await expect(open()).rejects.toThrow(StrataError);
    await expect(open()).rejects.toMatchObject({ code: 'INVALID_OPTION', message: expect.stringMatching(/Web Locks API/) });

    const locks = inPageLocks();
    const request = vi.spyOn(locks, 'request');
    vi.stubGlobal('navigator', { locks });
    const db = await open();
    opened.push(db);
    await db.status();
    expect(request).toHaveBeenCalledWith('strata:app', { mode: 'exclusive' }, expect.any(Function));
  });

  it('closes once, waits for its runs, and refuses runs after', async () => {
    const db = await openTab(inPageLocks());
    const migrating = db.migrate();
    await db.close();
    await db.close();
    expect(applied(await migrating)).toEqual(['001', '002', '003']);
    await expect(db.status()).rejects.toThrow(/is closed/);
  });
});
