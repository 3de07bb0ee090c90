import {
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type Driver, type DriverFactory, type Row, RunError, StrataError } from '@strata/core';
import { DatabaseManager, type DatabaseManagerOptions, StartupError } from '@strata/core/node';
import { checkBackup, listBackups, restoreDatabase, rotateBackups } from '@strata/core/node/operations';
import type { Dialect, Generated } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, historyOf, makeTempDir, schemaOf, tablesOf } from './fixtures.js';

const V1 = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE, bio TEXT);\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '002_create_posts/up.sql':
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, title TEXT);\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '002_create_posts/meta.yaml': 'dependencies: ["001"]\n',
};
const V2 = { ...V1, '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT NOT NULL);\n' };
const FAILING = {
  ...V1,
  '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);\n',
};
const BACKUP_NAME = /^app\.\d{8}T\d{9}Z\.v002\.sqlite$/;

/** Every table's rows, in rowid order: what "the data" means when a test compares before and after. */
async function dump(driver: Driver): Promise<Record<string, Row[]>> {
  const tables = await tablesOf(driver);
  const rows = await Promise.all(tables.map((table) => driver.query(`SELECT * FROM "${table}" ORDER BY rowid`)));
  return Object.fromEntries(tables.map((table, i) => [table, rows[i] ?? []]));
}

/**
 * Runs `work` on `driver` holding the lock that keeps every other connection from writing (the driver's own lock, or
 * SQLite's write lock in `BEGIN IMMEDIATE`), and commits what it wrote.
 */
async function holdWriteLock(driver: Driver, work: () => Promise<void>): Promise<void> {
  if (driver.exclusive !== undefined) {
    await driver.exclusive(async (lock) => {
      await work();
      await lock.persist();
    });
    return;
  }
  await driver.exec('BEGIN IMMEDIATE');
  await work();
  await driver.exec('COMMIT');
}

/** What the engine under a driver cannot do, which the DatabaseManager contract then asserts otherwise. */
export interface DatabaseManagerEngine {
  /**
   * `false`: the driver has no `restoreFrom` (libSQL), so restoring is refused (`INVALID_OPTION`) and the restore
   * cases are skipped.
   */
  readonly restores?: boolean;
  /**
   * The client runs each call on a pooled connection of its own (libSQL), where a PRAGMA reaches one connection only:
   * `synchronous` stays SQLite's default, and turning foreign keys off is refused (`NOT_SUPPORTED`).
   */
  readonly pooledConnections?: boolean;
}

/**
 * What `DatabaseManager` (start-up, backups, restore, readers, kysely) must do over a driver factory. A driver's test
 * file calls this with its factory and, to cover `db.kysely`, its kysely dialect.
 */
export function describeDatabaseManagerContract<D extends Driver>(
  name: string,
  factory: DriverFactory<D>,
  kysely?: (driver: D) => Dialect,
  engine: DatabaseManagerEngine = {},
): void {
  const restores = engine.restores !== false;
  const pooled = engine.pooledConnections === true;
  describe(`DatabaseManager contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let file: string;
    const opened: { close(): Promise<unknown> }[] = [];
    const open = async <DB = unknown>(options: Partial<DatabaseManagerOptions<D>> = {}) => {
      const db = await DatabaseManager.open<DB, D>({ file, driver: factory, migrations: V1, ...options });
      opened.push(db);
      return db;
    };
    // Opens a file directly, to look at it without DatabaseManager.
    const inspect = async <T>(path: string, look: (driver: D) => Promise<T>): Promise<T> => {
      const driver = await factory.open(path, { readonly: true });
      try {
        return await look(driver);
      } finally {
        await driver.close();
      }
    };
    const seed = async (driver: Driver, users = 3) => {
      for (let id = 1; id <= users; id++) {
        await driver.run('INSERT INTO users (id, email, bio) VALUES (?, ?, ?)', [id, `user${id}@example.com`, 'x'.repeat(120)]);
        await driver.run('INSERT INTO posts (user_id, title) VALUES (?, ?)', [id, `post of ${id}`]);
      }
      await driver.persist?.();
    };

    beforeEach(() => {
      temp = makeTempDir('strata-dbm-');
      file = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const db of opened.splice(0)) await db.close();
      temp.remove();
    });

    describe('opening', () => {
      it.skipIf(process.platform === 'darwin')(
        'puts an appName database in the per-user data folder, creating it, and applies the migrations',
        async () => {
          const saved = { XDG_DATA_HOME: process.env.XDG_DATA_HOME, LOCALAPPDATA: process.env.LOCALAPPDATA };
          process.env.XDG_DATA_HOME = join(temp.path, 'xdg');
          process.env.LOCALAPPDATA = join(temp.path, 'xdg');
          try {
            const db = await open({ file: undefined, appName: 'strata-contract', migrations: BUILT_IN_MIGRATIONS });
            const folder = process.platform === 'win32' ? join('strata-contract', 'Data') : 'strata-contract';
            expect(db.file).toBe(join(temp.path, 'xdg', folder, 'strata-contract.db'));
            expect(existsSync(db.file)).toBe(true);
            expect(db.startup.report?.steps.map((s) => [s.version, s.status])).toEqual([
              ['001', 'applied'],
              ['002', 'applied'],
              ['003', 'applied'],
            ]);
            expect(db.startup.backup).toBeUndefined();
            expect(await tablesOf(db.driver)).toEqual(expect.arrayContaining(['users', 'case_studies', 'user_preferences']));
          } finally {
            for (const [key, value] of Object.entries(saved)) {
              if (value === undefined) delete process.env[key];
              else process.env[key] = value;
            }
          }
        },
      );

      it('applies nothing and backs nothing up when reopened', async () => {
        await (await open()).close();
        const again = await open();
        expect(again.startup.report?.steps).toEqual([]);
        expect(again.startup.backup).toBeUndefined();
        expect(existsSync(join(temp.path, 'backups'))).toBe(false);
        expect((await historyOf(again.driver)).map((h) => h.version)).toEqual(['001', '002']);
      });

      it('opens with the safe settings by default, and with the ones given', async () => {
        const db = await open();
        const pragma = async (sql: string) => Object.values((await db.driver.query(sql))[0] ?? {})[0];
        expect(await pragma('PRAGMA foreign_keys')).toBe(1);
        // A driver that writes through to a file has a journal, a lock and a sync level; an in-memory one has none.
        if (db.driver.serialize === undefined) {
          expect(await pragma('PRAGMA journal_mode')).toBe('wal');
          expect(await pragma('PRAGMA busy_timeout')).toBe(5000);
          expect(await pragma('PRAGMA synchronous')).toBe(pooled ? 2 : 1);
        }
        await db.close();
        if (pooled) {
          await expect(open({ settings: { foreignKeys: false, busyTimeoutMs: 1234 } })).rejects.toMatchObject({
            code: 'NOT_SUPPORTED',
          });
          const waiting = await open({ settings: { busyTimeoutMs: 1234 } });
          expect(await waiting.driver.query('PRAGMA busy_timeout')).toEqual([{ timeout: 1234 }]);
          return;
        }
        const custom = await open({ settings: { foreignKeys: false, busyTimeoutMs: 1234 } });
        expect(await custom.driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 0 }]);
      });

      it('leaves migrations pending when migrateOnOpen is false', async () => {
        const db = await open({ migrateOnOpen: false });
        expect(db.startup.report).toBeUndefined();
        expect((await db.migrations.status()).pending.map((p) => p.version)).toEqual(['001', '002']);
        expect(await tablesOf(db.driver)).toEqual([]);
      });

      it('runs only the expand phase at start-up when asked, leaving the contract migration for later', async () => {
        const contract = { ...V2, '004_drop_bio/up.sql': 'ALTER TABLE users DROP COLUMN bio;\n' };
        const db = await open({ migrations: contract, phase: 'expand' });
        expect(db.startup.report?.steps.map((s) => [s.version, s.status])).toEqual([
          ['001', 'applied'],
          ['002', 'applied'],
          ['003', 'applied'],
        ]);
        expect(db.startup.report?.waiting?.map((w) => [w.version, w.phase])).toEqual([['004', 'contract']]);
        expect((await db.migrations.status()).pending.map((p) => p.version)).toEqual(['004']);
        await db.close();
        const again = await open({ migrations: contract, phase: 'expand' });
        expect(again.startup.report?.steps).toEqual([]);
        await again.close();
        const finished = await open({ migrations: contract });
        expect(finished.startup.report?.steps.map((s) => s.version)).toEqual(['004']);
        await expect(open({ migrations: contract, phase: 'later' as 'expand' })).rejects.toThrow(
          "phase must be 'expand' or 'contract', not \"later\"",
        );
      });

      it('creates the missing folders of an explicit file, and refuses options it cannot use, creating nothing', async () => {
        await expect(open({ appName: 'x' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
        await expect(open({ table: 'bad name' })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
        await expect(open({ readers: -1 })).rejects.toMatchObject({ code: 'INVALID_OPTION' });
        expect(readdirSync(temp.path)).toEqual([]);
        const nested = join(temp.path, 'data', 'nested', 'app.db');
        const db = await open({ file: nested });
        expect(await tablesOf(db.driver)).toEqual(['posts', 'schema_migrations', 'users']);
        await db.close();
        expect(await inspect(nested, (driver) => historyOf(driver))).toHaveLength(2);
        // The driver's own factory, which the CLI uses, creates them too.
        await (await factory.open(join(temp.path, 'direct', 'app.db'))).close();
        expect(statSync(join(temp.path, 'direct')).isDirectory()).toBe(true);
      });

      it('refuses, naming the path, a database file whose folder cannot be created, and changes nothing', async () => {
        writeFileSync(join(temp.path, 'blocker'), 'a file where a folder would go\n');
        const blocked = join(temp.path, 'blocker', 'app.db');
        const failure = open({ file: blocked });
        await expect(failure).rejects.toThrow(StrataError);
        await expect(failure).rejects.toMatchObject({
          code: 'DATABASE_ERROR',
          file: blocked,
          message: `the folder ${join(temp.path, 'blocker')} of the database file ${blocked} cannot be created (a file is in the way); name a database file in a folder that can be created, or create it first`,
        });
        await expect(factory.open(join(temp.path, 'blocker', 'deeper', 'app.db'))).rejects.toMatchObject({
          code: 'DATABASE_ERROR',
          message: expect.stringContaining('(a file is in the way)'),
        });
        expect(readdirSync(temp.path)).toEqual(['blocker']);
        expect(readFileSync(join(temp.path, 'blocker'), 'utf8')).toBe('a file where a folder would go\n');
      });

      it('refuses an invalid migrations set or an edited applied migration before writing anything', async () => {
        await expect(
          open({ migrations: { ...V1, '002_create_posts/meta.yaml': 'dependencies: ["009"]\n' } }),
        ).rejects.toMatchObject({
          code: 'MISSING_DEPENDENCY',
        });
        expect(existsSync(file)).toBe(false);
        const db = await open();
        await seed(db.driver);
        await db.close();
        const edited = { ...V2, '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n' };
        await expect(open({ migrations: edited })).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH', version: '001' });
        expect(existsSync(join(temp.path, 'backups'))).toBe(false);
        expect(await inspect(file, (driver) => historyOf(driver))).toHaveLength(2);
      });

      it('closes twice without complaint, and refuses work once closed', async () => {
        const db = await open();
        await db.close();
        await db.close();
        await expect(db.backup()).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
        await expect(db.stats()).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
      });
    });

    describe('backups', () => {
      it('backs up a database with a schema before a run that applies migrations, holding the state before it', async () => {
        const first = await open();
        await seed(first.driver);
        const before = { schema: await schemaOf(first.driver), data: await dump(first.driver) };
        await first.close();

        const db = await open({ migrations: V2 });
        expect(db.startup.report?.steps.map((s) => [s.version, s.status])).toEqual([['003', 'applied']]);
        const backup = db.startup.backup;
        expect(backup).toMatchObject({ version: '002', sizeBytes: statSync(backup?.file ?? '').size });
        expect(dirname(backup?.file ?? '')).toBe(join(temp.path, 'backups'));
        expect(basename(backup?.file ?? '')).toMatch(BACKUP_NAME);
        expect(Date.parse(backup?.createdAt ?? '')).toBeGreaterThan(Date.now() - 60_000);
        const copy = await inspect(backup?.file ?? '', async (driver) => ({
          schema: await schemaOf(driver),
          data: await dump(driver),
        }));
        expect(copy).toEqual(before);
      });

      it('keeps exactly the newest N backups, and no other file is touched', async () => {
        const db = await open({ backup: { keep: 3 } });
        await seed(db.driver);
        const dir = join(temp.path, 'backups');
        mkdirSync(dir);
        const others = ['notes.txt', 'other.20200101T000000000Z.v001.sqlite', 'app.db'];
        for (const other of others) writeFileSync(join(dir, other), 'not a backup of app');
        const taken = [];
        for (let i = 0; i < 6; i++) taken.push(await db.backup());
        const kept = await listBackups(dir, 'app');
        expect(kept.map((b) => b.file)).toEqual(
          taken
            .slice(3)
            .reverse()
            .map((b) => b.file),
        );
        expect(new Set(taken.map((b) => b.file)).size).toBe(6);
        expect(readdirSync(dir).sort()).toEqual([...others, ...kept.map((b) => basename(b.file))].sort());
      });

      it('orders backups by the time in their names, not by modification time', async () => {
        const dir = join(temp.path, 'backups');
        mkdirSync(dir);
        const names = [
          'app.20240101T000000000Z.v001.sqlite',
          'app.20250101T000000000Z.v002.sqlite',
          'app.20260101T000000000Z.sqlite',
        ];
        // The oldest name gets the newest modification time, as after a copy.
        names.forEach((name, i) => {
          writeFileSync(join(dir, name), 'x');
          utimesSync(join(dir, name), new Date(2030 - i, 0), new Date(2030 - i, 0));
        });
        expect((await listBackups(dir, 'app')).map((b) => [basename(b.file), b.createdAt, b.version])).toEqual([
          [names[2], '2026-01-01T00:00:00.000Z', null],
          [names[1], '2025-01-01T00:00:00.000Z', '002'],
          [names[0], '2024-01-01T00:00:00.000Z', '001'],
        ]);
        expect((await rotateBackups(dir, 'app', 2)).map((b) => basename(b.file))).toEqual([names[0]]);
        expect(readdirSync(dir).sort()).toEqual([names[1], names[2]]);
      });

      it('writes a backup to an explicit file, outside the rotation', async () => {
        const db = await open();
        await seed(db.driver);
        const out = join(temp.path, 'copy.sqlite');
        expect(await db.backup({ out })).toMatchObject({ file: out, version: '002' });
        expect(await inspect(out, dump)).toEqual(await dump(db.driver));
        expect(existsSync(join(temp.path, 'backups'))).toBe(false);
      });

      it('names the backup when a migration fails during open, and leaves the database as before the run', async () => {
        const first = await open();
        await seed(first.driver);
        const before = { schema: await schemaOf(first.driver), data: await dump(first.driver) };
        await first.close();

        const error = await open({ migrations: FAILING }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StartupError);
        const { backupFile } = error as StartupError;
        expect(basename(backupFile)).toMatch(BACKUP_NAME);
        expect(error).toMatchObject({
          code: 'MIGRATION_FAILED',
          version: '003',
          file: '003_add_tags/up.sql',
          message: expect.stringMatching(
            /no such table: nowhere\n {2}INSERT INTO nowhere .*\nthe database as it was before this run is in /,
          ),
        });
        expect((error as StartupError).message.endsWith(backupFile)).toBe(true);
        expect((error as StartupError).report?.steps.map((s) => [s.version, s.status])).toEqual([['003', 'failed']]);
        const state = async (driver: D) => ({ schema: await schemaOf(driver), data: await dump(driver) });
        expect(await inspect(file, state)).toEqual(before);
        expect(await inspect(backupFile, state)).toEqual(before);
      });

      it('throws the run error itself when a migration fails on a fresh database, which is not backed up', async () => {
        const error = await open({ migrations: FAILING }).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RunError);
        expect(error).not.toBeInstanceOf(StartupError);
        expect(error).toMatchObject({ code: 'MIGRATION_FAILED', version: '003' });
        expect(existsSync(join(temp.path, 'backups'))).toBe(false);
      });
    });

    it.skipIf(restores)('refuses to restore, naming the driver, and changes nothing', async () => {
      const db = await open({ migrations: V2 });
      await seed(db.driver, 3);
      const backup = await db.backup();
      await db.driver.run('DELETE FROM posts');
      await expect(db.restore(backup.file)).rejects.toMatchObject({
        code: 'INVALID_OPTION',
        message: `the ${factory.name} driver cannot restore a backup into a database`,
      });
      expect(await db.driver.query('SELECT count(*) AS n FROM posts')).toEqual([{ n: 0 }]);
    });

    describe.runIf(restores)('restoring', () => {
      const openSeeded = async () => {
        const db = await open({ migrations: V2 });
        await seed(db.driver, 200);
        await db.driver.run("INSERT INTO tags (label) VALUES ('a'), ('b')");
        await db.driver.persist?.();
        return db;
      };

      it('brings back every row of every table, and stays usable', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const backup = await db.backup();
        await db.driver.run("UPDATE users SET email = 'changed' || id WHERE id % 2 = 0");
        await db.driver.run('DELETE FROM posts WHERE id > 50');
        await db.driver.run('DELETE FROM tags');
        await db.driver.persist?.();
        expect(await dump(db.driver)).not.toEqual(before);

        const changed = await dump(db.driver);
        const check = await db.restore(backup.file);
        expect(check).toMatchObject({ ok: true, version: '003', pending: [], integrityProblems: [] });
        expect(await dump(db.driver)).toEqual(before);
        // The database the restore replaced was kept, so the restore itself can be undone.
        expect(check.previous?.file).not.toBe(backup.file);
        expect(await inspect(check.previous?.file ?? '', dump)).toEqual(changed);
        await db.driver.run("INSERT INTO tags (label) VALUES ('after')");
        expect((await db.migrations.status()).pending).toEqual([]);
      });

      it('restores through restoreDatabase with the connection closed', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const backup = await db.backup();
        await db.driver.run('DELETE FROM posts');
        await db.driver.persist?.();
        await db.close();
        const changed = await inspect(file, dump);
        const check = await restoreDatabase(backup.file, { databaseFile: file, factory, migrations: V2 });
        expect(check.ok).toBe(true);
        expect(await inspect(file, dump)).toEqual(before);
        expect(await inspect(check.previous?.file ?? '', dump)).toEqual(changed);
      });

      it('rotates the backups folder after restoreDatabase kept the replaced database, only when given keep', async () => {
        const db = await openSeeded();
        const backups = [await db.backup(), await db.backup(), await db.backup()];
        await db.close();
        const dir = join(temp.path, 'backups');
        const restore = (keep?: number) =>
          restoreDatabase(backups[0]?.file ?? '', {
            databaseFile: file,
            factory,
            migrations: V2,
            ...(keep === undefined ? {} : { keep }),
          });
        const unrotated = await restore();
        expect((await listBackups(dir, 'app')).length).toBe(4);
        const rotated = await restore(2);
        // The newest two: the copy this restore kept, and the one the restore before kept.
        expect((await listBackups(dir, 'app')).map((b) => b.file)).toEqual([rotated.previous?.file, unrotated.previous?.file]);
      });

      it('restores into the open connection: the same driver and kysely read the restored rows, and a later write lasts', async () => {
        interface Database {
          posts: { id: Generated<number>; user_id: number; title: string | null };
        }
        const db = await open<Database>({ migrations: V2, ...(kysely === undefined ? {} : { kysely }) });
        await seed(db.driver, 20);
        const before = await dump(db.driver);
        const backup = await db.backup();
        await db.driver.run('DELETE FROM posts');
        await db.driver.persist?.();
        const { driver } = db;

        await db.restore(backup.file);
        expect(db.driver).toBe(driver);
        expect(await dump(driver)).toEqual(before);
        if (kysely !== undefined) expect(await db.kysely.selectFrom('posts').select('title').execute()).toHaveLength(20);
        await driver.run("INSERT INTO tags (label) VALUES ('after the restore')");
        await driver.persist?.();
        await db.close();
        const labels = await inspect(file, (reopened) => reopened.query('SELECT label FROM tags'));
        expect(labels).toEqual([{ label: 'after the restore' }]);
      });

      it("restores a backup whose pages are of another size than the database's", async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const backup = join(temp.path, 'large-pages.sqlite');
        await db.backup({ out: backup });
        const resize = await factory.open(backup);
        await resize.exec('PRAGMA journal_mode = delete; PRAGMA page_size = 16384; VACUUM;');
        await resize.persist?.();
        await resize.close();
        expect(await inspect(backup, (driver) => driver.query('PRAGMA page_size'))).toEqual([{ page_size: 16384 }]);
        await db.driver.run('DELETE FROM posts');
        await db.restore(backup);
        expect(await dump(db.driver)).toEqual(before);
        expect(await db.driver.query('PRAGMA quick_check')).toEqual([{ quick_check: 'ok' }]);
      });

      it('restores a database in rollback-journal mode, keeping the replaced one', async () => {
        const db = await open({ migrations: V2, settings: { journalMode: 'delete' } });
        await seed(db.driver, 50);
        const before = await dump(db.driver);
        const backup = await db.backup();
        await db.driver.run('DELETE FROM posts');
        await db.driver.persist?.();
        const changed = await dump(db.driver);
        const check = await db.restore(backup.file);
        expect(await dump(db.driver)).toEqual(before);
        expect(await inspect(check.previous?.file ?? '', dump)).toEqual(changed);
        expect(existsSync(`${file}-wal`)).toBe(false);
      });

      it('never deletes or renames a file of the open database: its -wal stays, and the file keeps its inode', async (context) => {
        const db = await openSeeded();
        // sql.js saves a database by writing a new file and renaming it over the old one.
        context.skip(db.driver.serialize !== undefined, 'the driver keeps the database in memory and saves it whole');
        const backup = await db.backup();
        await db.driver.run('DELETE FROM posts');
        const files = { main: statSync(file).ino, wal: statSync(`${file}-wal`).ino };
        await db.restore(backup.file);
        expect({ main: statSync(file).ino, wal: statSync(`${file}-wal`).ino }).toEqual(files);
        expect(await db.driver.query('SELECT count(*) AS n FROM posts')).toEqual([{ n: 200 }]);
      });

      it('restores through a symbolic link to the database into its target, and the link stays a link', async () => {
        mkdirSync(join(temp.path, 'data'));
        const target = join(temp.path, 'data', 'real.db');
        symlinkSync(target, file);
        const db = await openSeeded();
        const before = await dump(db.driver);
        const backup = await db.backup();
        await db.driver.run('DELETE FROM users');
        await db.restore(backup.file);
        expect(lstatSync(file).isSymbolicLink()).toBe(true);
        expect(await inspect(target, dump)).toEqual(before);
      });

      it('refuses the database itself through a hard or a symbolic link, and changes nothing', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const hard = join(temp.path, 'hard.sqlite');
        const soft = join(temp.path, 'soft.sqlite');
        linkSync(file, hard);
        symlinkSync(file, soft);
        for (const alias of [hard, soft]) {
          const refusal = {
            code: 'INVALID_OPTION',
            file: alias,
            message: `${alias} is the database ${file} itself (the same file through a link); a database cannot be restored from itself`,
          };
          await expect(db.restore(alias, { force: true })).rejects.toMatchObject(refusal);
          await expect(
            restoreDatabase(alias, { databaseFile: file, factory, migrations: V2, force: true }),
          ).rejects.toMatchObject(refusal);
        }
        expect(await dump(db.driver)).toEqual(before);
        expect(existsSync(join(temp.path, 'backups'))).toBe(false);
      });

      it('refuses a file that is not a database of these migrations unless forced: no history table, or a trigger on it', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const plain = join(temp.path, 'plain.sqlite');
        const hooked = join(temp.path, 'hooked.sqlite');
        const make = async (path: string, sql: string) => {
          const driver = await factory.open(path);
          await driver.exec(sql);
          await driver.persist?.();
          await driver.close();
        };
        await make(plain, "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('kept');");
        await db.backup({ out: hooked });
        // Such a trigger would empty the users table as the next migration is recorded.
        await make(hooked, 'CREATE TRIGGER wipe_users AFTER INSERT ON schema_migrations BEGIN DELETE FROM users; END;');

        const refusals = [
          [plain, 'it has no schema_migrations table'],
          [hooked, 'trigger wipe_users is attached to schema_migrations'],
        ] as const;
        for (const [path, why] of refusals) {
          const check = await checkBackup(path, { factory, migrations: V2 });
          expect(check).toMatchObject({ ok: false, integrityProblems: [], historyTableProblems: [why] });
          await expect(db.restore(path)).rejects.toMatchObject({
            code: 'INVALID_OPTION',
            file: path,
            message: `backup ${path} is not a database of these migrations: ${why}; nothing was restored (use force to restore it anyway)`,
          });
        }
        expect(await dump(db.driver)).toEqual(before);

        await db.restore(plain, { force: true });
        expect(await tablesOf(db.driver)).toEqual(['notes']);
        await db.restore(hooked, { force: true });
        expect(await dump(db.driver)).toEqual(before);
      });

      it("waits for another connection's write to finish, and keeps the database with that write as the previous copy", async () => {
        const db = await openSeeded();
        const backup = await db.backup({ out: join(temp.path, 'backup.sqlite') });
        const other = await factory.open(file);
        opened.push(other);
        let locked: () => void = () => {};
        const holding = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const writing = holdWriteLock(other, async () => {
          await other.run("INSERT INTO tags (label) VALUES ('committed while the restore waited')");
          locked();
          await new Promise((resolve) => setTimeout(resolve, 300));
        });
        await holding;
        const check = await db.restore(backup.file);
        await writing;
        expect(await dump(db.driver)).toEqual(await inspect(backup.file, dump));
        const kept = await inspect(check.previous?.file ?? '', (driver) => driver.query('SELECT label FROM tags ORDER BY id'));
        expect(kept.at(-1)).toEqual({ label: 'committed while the restore waited' });
      });

      it('refuses with LOCK_TIMEOUT while another connection holds the lock longer than the busy timeout, changing nothing', async () => {
        const db = await open({ migrations: V2, settings: { busyTimeoutMs: 300 } });
        await seed(db.driver, 20);
        const backup = await db.backup();
        await db.driver.run('DELETE FROM posts');
        await db.driver.persist?.();
        const before = await dump(db.driver);
        const other = await factory.open(file, { busyTimeoutMs: 300 });
        opened.push(other);
        let release: () => void = () => {};
        let locked: () => void = () => {};
        const holding = new Promise<void>((resolve) => {
          locked = resolve;
        });
        const held = holdWriteLock(other, async () => {
          locked();
          await new Promise<void>((resolve) => {
            release = resolve;
          });
        });
        await holding;
        const started = Date.now();
        await expect(db.restore(backup.file)).rejects.toMatchObject({
          code: 'LOCK_TIMEOUT',
          message: expect.stringContaining(file),
        });
        expect(Date.now() - started).toBeGreaterThanOrEqual(250);
        release();
        await held;
        expect(await dump(db.driver)).toEqual(before);
        expect((await listBackups(join(temp.path, 'backups'), 'app')).map((b) => b.file)).toEqual([backup.file]);
        expect(readdirSync(join(temp.path, 'backups'))).toEqual([basename(backup.file)]);
      });

      it('refuses a file that is not SQLite, naming it, and changes nothing', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const text = join(temp.path, 'notes.sqlite');
        writeFileSync(text, 'these are notes, not a database\n'.repeat(200));
        await expect(db.restore(text)).rejects.toMatchObject({
          code: 'DATABASE_ERROR',
          file: text,
          message: expect.stringContaining(text),
        });
        await expect(db.restore(join(temp.path, 'missing.sqlite'))).rejects.toMatchObject({ code: 'DATABASE_ERROR' });
        expect(await dump(db.driver)).toEqual(before);
      });

      it('refuses a damaged backup even with force, and changes nothing', async () => {
        const db = await openSeeded();
        const before = await dump(db.driver);
        const backup = await db.backup();
        const bytes = readFileSync(backup.file);
        const pageSize = bytes.readUInt16BE(16) === 1 ? 65536 : bytes.readUInt16BE(16);
        const pages = bytes.length / pageSize;
        expect(pages).toBeGreaterThan(6);
        const middle = Math.floor(pages / 2) * pageSize;
        const damaged = join(temp.path, 'damaged.sqlite');
        writeFileSync(
          damaged,
          Buffer.concat([bytes.subarray(0, middle), Buffer.alloc(pageSize, 0xff), bytes.subarray(middle + pageSize)]),
        );
        const truncated = join(temp.path, 'truncated.sqlite');
        writeFileSync(truncated, bytes.subarray(0, middle));
        // Subtler: cells of a page scrambled, which quick_check lists as problems instead of stopping.
        const scrambled = join(temp.path, 'scrambled.sqlite');
        writeFileSync(scrambled, Buffer.from(bytes).fill(0x41, middle + 200, middle + 600));

        // The intact backup passes, so what the damaged copies fail on is the damage.
        expect((await checkBackup(backup.file, { factory, migrations: V2 })).ok).toBe(true);
        for (const copy of [damaged, truncated, scrambled]) {
          const check = await checkBackup(copy, { factory, migrations: V2 });
          expect(check.ok).toBe(false);
          expect(check.integrityProblems.length).toBeGreaterThan(0);
          await expect(db.restore(copy, { force: true })).rejects.toMatchObject({
            code: 'DATABASE_ERROR',
            file: copy,
            message: expect.stringMatching(/is damaged/),
          });
        }
        expect(await dump(db.driver)).toEqual(before);
      });

      it('refuses a backup whose history does not match the migrations, naming the versions, unless forced', async () => {
        const db = await openSeeded();
        const backup = await db.backup();
        await db.driver.run('DELETE FROM tags');
        await db.driver.persist?.();
        const after = await dump(db.driver);
        const check = {
          factory,
          migrations: { ...V2, '002_create_posts/up.sql': `${V2['002_create_posts/up.sql']}-- edited\n` },
        };
        const changed = await checkBackup(backup.file, check);
        expect(changed).toMatchObject({ ok: false, changed: ['002'], unknown: [], integrityProblems: [] });
        await expect(restoreDatabase(backup.file, { ...check, databaseFile: join(temp.path, 'other.db') })).rejects.toMatchObject(
          {
            code: 'CHECKSUM_MISMATCH',
            version: '002',
            message: expect.stringMatching(/002 was applied from a different up\.sql/),
          },
        );
        expect(existsSync(join(temp.path, 'other.db'))).toBe(false);

        const unknown = await checkBackup(backup.file, { factory, migrations: V1 });
        expect(unknown).toMatchObject({ ok: false, changed: [], unknown: ['003'] });
        const older = await open({ file: join(temp.path, 'older.db'), migrations: V1, migrateOnOpen: false });
        await expect(older.restore(backup.file)).rejects.toMatchObject({
          code: 'APPLIED_MISSING',
          message: expect.stringContaining('003'),
        });
        expect(await dump(db.driver)).toEqual(after);

        await older.restore(backup.file, { force: true });
        expect((await historyOf(older.driver)).map((h) => h.version)).toEqual(['001', '002', '003']);
      });

      it('refuses a backup that records a version twice, naming it, unless forced', async () => {
        const db = await openSeeded();
        const backup = await db.backup();
        // A history table remade by another tool, without its primary key, and 001 recorded again.
        const twice = await factory.open(backup.file);
        await twice.exec(
          `CREATE TABLE copied AS SELECT * FROM schema_migrations; DROP TABLE schema_migrations;
           ALTER TABLE copied RENAME TO schema_migrations;
           INSERT INTO schema_migrations SELECT * FROM schema_migrations WHERE version = '001';`,
        );
        await twice.persist?.();
        await twice.close();
        await db.driver.run('DELETE FROM posts');
        await db.driver.persist?.();
        const before = await dump(db.driver);
        await expect(db.restore(backup.file)).rejects.toMatchObject({
          code: 'DUPLICATE_HISTORY',
          version: '001',
          message: expect.stringMatching(/does not match the migrations: the history records migration 001 .* in 2 rows/),
        });
        expect(await dump(db.driver)).toEqual(before);
        await db.restore(backup.file, { force: true });
        expect((await db.driver.query('SELECT count(*) AS n FROM posts'))[0]?.n).toBeGreaterThan(0);
      });

      it('accepts a backup with migrations pending, and leaves them pending', async () => {
        const db = await open();
        await seed(db.driver);
        const backup = await db.backup();
        const newer = await open({ file: join(temp.path, 'newer.db'), migrations: V2 });
        const check = await newer.restore(backup.file);
        expect(check).toMatchObject({ ok: true, version: '002', pending: ['003'] });
        expect((await newer.migrations.status()).pending.map((p) => p.version)).toEqual(['003']);
      });
    });

    describe('using the database', () => {
      it('reports statistics with the sizes of the file and its log on disk', async () => {
        const db = await open();
        await seed(db.driver, 50);
        const stats = await db.stats();
        expect(stats.file.path).toBe(file);
        expect(stats.file.sizeBytes).toBe(statSync(file).size);
        expect(stats.file.sizeBytes).toBeGreaterThan(0);
        expect(stats.file.walSizeBytes).toBe(existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
        expect(stats.tables.find((t) => t.name === 'users')?.rows).toBe(50);
        expect(stats.migrations).toMatchObject({ applied: 2, pending: 0 });
      });

      it.runIf(kysely !== undefined)('gives typed queries through kysely on the same connection', async () => {
        interface Database {
          users: { id: Generated<number>; email: string; bio: string | null };
          posts: { id: Generated<number>; user_id: number; title: string | null };
        }
        const db = await open<Database>({ ...(kysely === undefined ? {} : { kysely }) });
        await db.kysely.insertInto('users').values({ email: 'ada@example.com', bio: null }).execute();
        await db.kysely.insertInto('posts').values({ user_id: 1, title: 'Notes' }).execute();
        const rows = await db.kysely
          .selectFrom('posts')
          .innerJoin('users', 'users.id', 'posts.user_id')
          .select(['users.email', 'posts.title'])
          .execute();
        expect(rows).toEqual([{ email: 'ada@example.com', title: 'Notes' }]);
        expect(await db.driver.query('SELECT count(*) AS n FROM posts')).toEqual([{ n: 1 }]);
      });

      it('refuses kysely when no dialect was given', async () => {
        const db = await open();
        expect(() => db.kysely).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
      });

      if (factory.createReaderPool === undefined) {
        it('refuses readers, naming the driver, before creating anything', async () => {
          await expect(open({ readers: 2 })).rejects.toMatchObject({
            code: 'INVALID_OPTION',
            message: expect.stringContaining(factory.name),
          });
          expect(existsSync(file)).toBe(false);
        });
      } else {
        it('opens readers in worker threads that see the migrated schema, later writes and a restore', async () => {
          const db = await open({ readers: 2 });
          expect(db.readers?.size).toBe(2);
          await seed(db.driver, 5);
          expect(await db.readers?.query('SELECT count(*) AS n FROM users')).toEqual([{ n: 5 }]);
          const backup = await db.backup();
          await db.driver.run('DELETE FROM posts');
          expect(await db.readers?.query('SELECT count(*) AS n FROM posts')).toEqual([{ n: 0 }]);
          const before = db.readers;
          await db.restore(backup.file);
          // The restore went into the open database, so the threads' connections stay and read the restored rows.
          expect(db.readers).toBe(before);
          expect(await db.readers?.query('SELECT count(*) AS n FROM posts')).toEqual([{ n: 5 }]);
          await db.close();
          await expect(db.readers?.query('SELECT 1')).rejects.toMatchObject({ code: 'READERS_CLOSED' });
        });
      }
    });
  });
}
