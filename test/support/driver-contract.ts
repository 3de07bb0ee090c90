import { join } from 'node:path';
import {
  checksumOf,
  type Driver,
  MigrationManager,
  type MigrationSet,
  parseMigrationFiles,
  RunError,
  type StrataError,
  ValidationError,
} from '@strata/core';
import { loadMigrationsFolder, readMigrationsFolder } from '@strata/core/node';
import { type Dialect, type Generated, Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, historyOf, makeTempDir, schemaOf, tablesOf, writeFiles } from './fixtures.js';

/** How the contract suite reaches one driver. */
export interface DriverUnderTest<D extends Driver> {
  /** Opens (creating when missing) the database file at `path`. */
  open(path: string): Promise<D>;
  /** A kysely dialect on the driver's own connection; without one (rqlite has none), the kysely tests are skipped. */
  kysely?(driver: D): Dialect;
  /** Whether two connections opened on one file see each other's commits and share SQLite's locks. */
  readonly sharesFileBetweenConnections: boolean;
  /**
   * The driver applies atomic batches (`Driver.batch`) and has no interactive transactions, as rqlite and libSQL over
   * the network: it refuses `BEGIN`, is never in a transaction, refuses `transaction: false` migrations, and a kysely
   * transaction cannot span its statements.
   */
  readonly atomicBatches?: boolean;
  /**
   * The engine's own error, the driver error's `cause`, gives the failing token's offset in the SQL it was sent (libSQL
   * over the network), which the `EXPLAIN` a compile sends shifts: compile's error equals query's in its message and
   * code, not in its cause.
   */
  readonly offsetsInCauses?: boolean;
  /** The driver has no scratch database on its own engine (rqlite, a server): the test of `scratch()` is skipped. */
  readonly noScratch?: boolean;
}

const SMALL = {
  '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL UNIQUE);\n',
  '001_create_users/down.sql': 'DROP TABLE users;\n',
  '002_create_posts/up.sql':
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, title TEXT);\nCREATE INDEX idx_posts_user ON posts(user_id);\n',
  '002_create_posts/down.sql': 'DROP TABLE posts;\n',
  '002_create_posts/meta.yaml': 'dependencies: ["001"]\n',
  '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER PRIMARY KEY, label TEXT);\n',
  '003_add_tags/down.sql': 'DROP TABLE tags;\n',
};

/**
 * Every behaviour a Strata driver must have, from the driver's own methods to whole migration runs. A driver's test
 * file calls this with a way to open it.
 */
export function describeDriverContract<D extends Driver>(name: string, driverUnderTest: DriverUnderTest<D>): void {
  describe(`driver contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dbPath: string;
    const open: Driver[] = [];
    const openDriver = async (path = dbPath): Promise<D> => {
      const driver = await driverUnderTest.open(path);
      open.push(driver);
      return driver;
    };
    const manage = async (migrations: MigrationSet | Record<string, string>, extra: { table?: string; driver?: Driver } = {}) =>
      new MigrationManager({
        driver: extra.driver ?? (await openDriver()),
        migrations,
        ...(extra.table ? { table: extra.table } : {}),
      });

    beforeEach(() => {
      temp = makeTempDir();
      dbPath = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const driver of open.splice(0)) await driver.close();
      temp.remove();
    });

    describe('the driver', () => {
      it('runs scripts, parameterised queries and reports changes', async () => {
        const driver = await openDriver();
        await driver.exec(
          "CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT, big INTEGER, data BLOB);\n-- a comment\nINSERT INTO t (label) VALUES ('a');",
        );
        const changed = await driver.run('INSERT INTO t (label, big, data) VALUES (?, ?, ?)', [
          'b',
          2n ** 40n,
          new Uint8Array([1, 2, 3]),
        ]);
        expect(changed.changes).toBe(1);
        expect((await driver.run('UPDATE t SET label = upper(label)')).changes).toBe(2);
        const rows = await driver.query<{ label: string; big: number | null; data: Uint8Array | null }>(
          'SELECT label, big, data FROM t ORDER BY id',
        );
        expect(rows.map((r) => r.label)).toEqual(['A', 'B']);
        expect(Number(rows[1]?.big)).toBe(2 ** 40);
        expect([...(rows[1]?.data ?? [])]).toEqual([1, 2, 3]);
        expect(await driver.query('SELECT label FROM t WHERE label = ?', [null])).toEqual([]);
      });

      it('counts no changes for DDL after a write, and returns no rows for a statement that has none', async () => {
        const driver = await openDriver();
        await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
        expect(await driver.run('INSERT INTO t VALUES (1), (2), (3)')).toEqual({ changes: 3 });
        expect(await driver.run('CREATE TABLE u (id INTEGER)')).toEqual({ changes: 0 });
        expect(await driver.query('DELETE FROM t WHERE id > ?', [1])).toEqual([]);
        expect(await driver.query('SELECT id FROM t')).toEqual([{ id: 1 }]);
      });

      it("counts the rows a statement changed itself, as SQLite's changes() does, however the statement starts", async () => {
        const driver = await openDriver();
        await driver.exec(
          'CREATE TABLE t (id INTEGER PRIMARY KEY); CREATE TABLE log (id INTEGER);' +
            'CREATE TRIGGER t_log AFTER INSERT ON t BEGIN INSERT INTO log VALUES (new.id); INSERT INTO log VALUES (new.id); END;',
        );
        // The trigger's rows are not the statement's own.
        expect(await driver.run('INSERT INTO t VALUES (?), (?)', [1, 2])).toEqual({ changes: 2 });
        expect(await driver.run('INSERT OR IGNORE INTO t VALUES (1)')).toEqual({ changes: 0 });
        expect(await driver.run('-- a note\nUPDATE t SET id = id + 10 WHERE id = ?', [2])).toEqual({ changes: 1 });
        expect(await driver.run('WITH gone AS (SELECT 1) DELETE FROM log')).toEqual({ changes: 4 });
        expect(await driver.run('SELECT count(*) FROM t')).toEqual({ changes: 0 });
        expect(await driver.run('replace INTO t VALUES (3)')).toEqual({ changes: 1 });
      });

      it('names the columns a query returns as they are now, after the table changed since it last ran', async () => {
        const driver = await openDriver();
        await driver.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'x')");
        expect(await driver.query('SELECT * FROM t')).toEqual([{ a: 1, b: 'x' }]);
        await driver.exec('ALTER TABLE t RENAME COLUMN a TO z; ALTER TABLE t ADD COLUMN c INTEGER DEFAULT 3');
        expect(await driver.query('SELECT * FROM t')).toEqual([{ z: 1, b: 'x', c: 3 }]);
        await driver.exec('ALTER TABLE t DROP COLUMN b');
        expect(await driver.query('SELECT * FROM t')).toEqual([{ z: 1, c: 3 }]);
        await driver.exec('DELETE FROM t');
        expect(await driver.query('SELECT * FROM t')).toEqual([]);
      });

      it.runIf(driverUnderTest.atomicBatches === true)(
        'refuses transaction statements, and applies a batch all or nothing, naming the failing statement',
        async () => {
          const driver = await openDriver();
          await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
          for (const sql of ['BEGIN IMMEDIATE', 'BEGIN', 'COMMIT', 'ROLLBACK', 'SAVEPOINT s', 'RELEASE s', 'END']) {
            await expect(driver.exec(sql), sql).rejects.toMatchObject({ code: 'NOT_SUPPORTED' });
          }
          expect(driver.inTransaction()).toBe(false);
          const results = await driver.batch?.([
            { sql: 'INSERT INTO t VALUES (?)', params: [1] },
            { sql: 'INSERT INTO t VALUES (2), (3)' },
            { sql: 'CREATE TABLE u (id INTEGER)' },
          ]);
          expect(results).toEqual([{ changes: 1 }, { changes: 2 }, { changes: 0 }]);
          const failing = driver.batch?.([
            { sql: 'INSERT INTO t VALUES (4)' },
            { sql: 'DROP TABLE u' },
            { sql: 'INSERT INTO t VALUES (?)', params: [1] },
            { sql: 'INSERT INTO t VALUES (5)' },
          ]);
          await expect(failing).rejects.toMatchObject({ name: 'BatchError', index: 2, message: expect.stringMatching(/UNIQUE/) });
          expect(await driver.query('SELECT id FROM t ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
          expect(await tablesOf(driver)).toEqual(['t', 'u']);
          expect(driver.inTransaction()).toBe(false);
        },
      );

      it.skipIf(driverUnderTest.atomicBatches === true)(
        'knows whether a transaction is open, even when SQLite ended it itself',
        async () => {
          const driver = await openDriver();
          await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
          expect(driver.inTransaction()).toBe(false);
          await driver.exec('BEGIN IMMEDIATE');
          expect(driver.inTransaction()).toBe(true);
          await driver.exec('INSERT INTO t VALUES (1)');
          await expect(driver.exec('INSERT OR ROLLBACK INTO t VALUES (1)')).rejects.toThrow(/UNIQUE/);
          expect(driver.inTransaction()).toBe(false);
          expect(await driver.query('SELECT id FROM t')).toEqual([]);
        },
      );

      it('enforces foreign keys by default', async () => {
        const driver = await openDriver();
        expect(await driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      });

      it.skipIf(driverUnderTest.noScratch === true)(
        'opens a scratch database in memory on the same engine, empty and apart from its own',
        async () => {
          const driver = await openDriver();
          await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY)');
          const scratch = await driver.scratch?.();
          if (scratch === undefined) throw new Error('the driver has no scratch()');
          open.push(scratch);
          expect(scratch.name).toBe(driver.name);
          expect(await scratch.query('SELECT name FROM sqlite_master')).toEqual([]);
          expect(await scratch.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
          expect(await scratch.query('SELECT sqlite_version() AS v')).toEqual(await driver.query('SELECT sqlite_version() AS v'));
          await scratch.exec('CREATE TABLE u (id INTEGER PRIMARY KEY)');
          expect(await driver.query("SELECT name FROM sqlite_master WHERE name = 'u'")).toEqual([]);
          await scratch.close();
          expect(await driver.query('SELECT name FROM sqlite_master')).toEqual([{ name: 't' }]);
        },
      );

      it('compiles a statement without running it, and fails as query() does when it names what is not there', async () => {
        const driver = await openDriver();
        if (driver.compile === undefined) throw new Error('the driver has no compile()');
        await driver.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT NOT NULL)');
        await driver.compile('SELECT id, label FROM t WHERE id = ? AND label = :label');
        await driver.compile('INSERT INTO t (id, label) VALUES (?, :label)');
        // Compiling binds nothing and runs nothing: the NOT NULL a run would break is not reached.
        await driver.compile('INSERT INTO t (label) VALUES (NULL)');
        await driver.compile('DROP TABLE t');
        expect(await driver.query('SELECT count(*) AS n FROM t')).toEqual([{ n: 0 }]);
        const missing = 'SELECT id, name FROM t';
        const queried = await driver.query(missing).catch((error: unknown) => error);
        await expect(driver.compile(missing)).rejects.toThrow('no such column: name');
        if (driverUnderTest.offsetsInCauses === true) {
          const { message, code } = queried as StrataError;
          await expect(driver.compile(missing)).rejects.toMatchObject({ message, code });
        } else {
          await expect(driver.compile(missing)).rejects.toEqual(queried);
        }
        await expect(driver.compile('UPDATE nowhere SET a = 1')).rejects.toThrow('no such table: nowhere');
        await expect(driver.compile('SELEC 1')).rejects.toThrow('near "SELEC": syntax error');
        expect(await driver.query("SELECT name FROM sqlite_master WHERE type = 'table'")).toEqual([{ name: 't' }]);
      });

      it('can be closed twice', async () => {
        const driver = await driverUnderTest.open(dbPath);
        await driver.close();
        await driver.close();
      });
    });

    describe('migrating', () => {
      it('applies the built-in migrations and records each one', async () => {
        const set = await loadMigrationsFolder(BUILT_IN_MIGRATIONS);
        const manager = await manage(set);
        const report = await manager.migrate();
        expect(report.steps.map((s) => [s.version, s.status])).toEqual([
          ['001', 'applied'],
          ['002', 'applied'],
          ['003', 'applied'],
        ]);
        const driver = open[0] as Driver;
        expect(await tablesOf(driver)).toEqual(
          expect.arrayContaining(['users', 'domains', 'case_studies', 'settings', 'user_preferences', 'schema_migrations']),
        );
        expect(await historyOf(driver)).toEqual(
          set.migrations.map((m) => ({ version: m.version, name: m.name, checksum: checksumOf(m.up) })),
        );
        const status = await manager.status();
        expect(status.pending).toEqual([]);
        expect(status.problems).toEqual([]);
        expect(status.applied.map((a) => a.appliedAt)).toEqual([
          expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
          expect.any(String),
          expect.any(String),
        ]);
        expect(status.applied.every((a) => typeof a.durationMs === 'number')).toBe(true);
      });

      it('keeps what it applied after the database is closed and opened again', async () => {
        const first = await manage(SMALL);
        await first.migrate();
        await (open[0] as Driver).close();
        const again = await manage(SMALL);
        expect((await again.status()).applied.map((a) => a.version)).toEqual(['001', '002', '003']);
        expect((await again.migrate()).steps).toEqual([]);
      });

      it('is a no-op the second time', async () => {
        const manager = await manage(SMALL);
        await manager.migrate();
        const before = await schemaOf(open[0] as Driver);
        expect((await manager.migrate()).steps).toEqual([]);
        expect(await schemaOf(open[0] as Driver)).toEqual(before);
      });

      it('stops at --to and reports nothing run in a dry run', async () => {
        const manager = await manage(SMALL);
        const dry = await manager.migrate({ dryRun: true });
        expect(dry.steps.map((s) => [s.version, s.status, s.sql])).toEqual([
          ['001', 'planned', SMALL['001_create_users/up.sql']],
          ['002', 'planned', SMALL['002_create_posts/up.sql']],
          ['003', 'planned', SMALL['003_add_tags/up.sql']],
        ]);
        expect(await schemaOf(open[0] as Driver)).toEqual([]);
        expect(await manager.applied()).toEqual([]);
        expect((await manager.migrate({ to: '002' })).steps.map((s) => s.version)).toEqual(['001', '002']);
        expect((await manager.status()).pending).toEqual([{ version: '003', name: 'add_tags' }]);
        expect((await manager.applied()).map((row) => [row.version, row.name])).toEqual([
          ['001', 'create_users'],
          ['002', 'create_posts'],
        ]);
        expect(await manage(SMALL).then((fresh) => fresh.applied())).toHaveLength(2);
      });

      it('leaves the schema and history exactly as before a failing migration, keeping earlier ones', async () => {
        const files = {
          ...SMALL,
          '003_add_tags/up.sql':
            "CREATE TABLE tags (id INTEGER PRIMARY KEY);\nINSERT INTO users (email) VALUES ('x@y');\nINSERT INTO nowhere VALUES (1);\n",
        };
        const manager = await manage(files);
        await manager.migrate({ to: '001' });
        const driver = open[0] as Driver;
        const history = await historyOf(driver);
        const error = await manager.migrate().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(RunError);
        expect(error).toMatchObject({
          code: 'MIGRATION_FAILED',
          version: '003',
          file: '003_add_tags/up.sql',
          line: 3,
          column: 13,
          message:
            'migration 003 (add_tags) failed at 003_add_tags/up.sql:3:13, and the database was left as before it: no such table: nowhere\n  INSERT INTO nowhere VALUES (1)',
        });
        expect((error as RunError).report.steps.map((s) => [s.version, s.status])).toEqual([
          ['002', 'applied'],
          ['003', 'failed'],
        ]);
        expect(await tablesOf(driver)).toEqual(['posts', 'schema_migrations', 'users']);
        expect(await driver.query('SELECT * FROM users')).toEqual([]);
        expect(await historyOf(driver)).toEqual([
          ...history,
          { version: '002', name: 'create_posts', checksum: checksumOf(SMALL['002_create_posts/up.sql']) },
        ]);
        expect(driver.inTransaction()).toBe(false);
      });

      it('leaves a fresh database without even a history table when the first migration fails', async () => {
        const manager = await manage({ '001_bad/up.sql': 'CREATE TABLE a (id INTEGER);\nCREATE TABLE a (id INTEGER);\n' });
        await expect(manager.migrate()).rejects.toMatchObject({
          code: 'MIGRATION_FAILED',
          message: expect.stringContaining('table a already exists'),
        });
        expect(await schemaOf(open[0] as Driver)).toEqual([]);
      });

      it('refuses to run when an applied migration was edited, and changes nothing', async () => {
        const manager = await manage({ '001_create_users/up.sql': SMALL['001_create_users/up.sql'] });
        await manager.migrate();
        const driver = open[0] as Driver;
        const before = await schemaOf(driver);
        const edited = await manage(
          { ...SMALL, '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);\n' },
          { driver },
        );
        const error = await edited.migrate().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ValidationError);
        expect(error).toMatchObject({ code: 'CHECKSUM_MISMATCH', version: '001', file: '001_create_users/up.sql' });
        expect((error as StrataError).message).toMatch(
          /^migration 001 \(001_create_users\/up\.sql\) was applied with checksum [0-9a-f]{32} but the file now has [0-9a-f]{32}/,
        );
        expect(await schemaOf(driver)).toEqual(before);
        expect((await edited.validate()).problems.map((p) => p.code)).toEqual(['CHECKSUM_MISMATCH']);
      });

      it('does not mistake CRLF line endings or a BOM for an edit', async () => {
        const manager = await manage(SMALL);
        await manager.migrate();
        const windows = Object.fromEntries(Object.entries(SMALL).map(([k, v]) => [k, `\ufeff${v.replace(/\n/g, '\r\n')}`]));
        const again = await manage(windows, { driver: open[0] as Driver });
        expect((await again.validate()).problems).toEqual([]);
        expect((await again.migrate()).steps).toEqual([]);
      });

      it('refuses to run while the database records a migration the folder does not have, unless told to ignore it', async () => {
        const manager = await manage(SMALL);
        await manager.migrate({ to: '002' });
        const driver = open[0] as Driver;
        const { '001_create_users/up.sql': _, '001_create_users/down.sql': __, ...rest } = SMALL;
        const missing = await manage({ ...rest, '002_create_posts/meta.yaml': '' }, { driver });
        await expect(missing.migrate()).rejects.toMatchObject({
          code: 'APPLIED_MISSING',
          version: '001',
          message:
            'migration 001 (create_users) is recorded as applied, but no folder 001_create_users exists; if it was deleted on purpose, forget 001 --yes removes its history row, and migrate --ignore-missing runs without removing it',
        });
        expect((await missing.status()).problems.map((p) => p.code)).toEqual(['APPLIED_MISSING']);
        expect((await missing.migrate({ ignoreMissing: true })).steps.map((s) => s.version)).toEqual(['003']);
      });

      it('refuses an invalid set before touching the database', async () => {
        const manager = await manage({ ...SMALL, '002_create_posts/meta.yaml': 'dependencies: ["009"]\n' });
        await expect(manager.migrate()).rejects.toMatchObject({ code: 'MISSING_DEPENDENCY', file: '002_create_posts/meta.yaml' });
        expect(await schemaOf(open[0] as Driver)).toEqual([]);
      });

      it.runIf(driverUnderTest.atomicBatches === true)(
        'refuses a transaction: false migration before anything of the run is applied, dry run included',
        async () => {
          const manager = await manage({
            ...SMALL,
            '004_vacuum/up.sql': 'VACUUM;\n',
            '004_vacuum/meta.yaml': 'transaction: false\n',
          });
          await manager.migrate({ to: '002' });
          const driver = open[0] as Driver;
          const before = await schemaOf(driver);
          for (const dryRun of [true, false]) {
            await expect(manager.migrate({ dryRun })).rejects.toMatchObject({
              code: 'NOT_SUPPORTED',
              version: '004',
              file: '004_vacuum/meta.yaml',
              message: expect.stringMatching(
                /^migration 004 \(vacuum\) is transaction: false \(004_vacuum\/meta.yaml\), which must run outside a transaction; the .+ driver applies each migration as one atomic batch, with its history row, and cannot run it/,
              ),
            });
          }
          expect(await schemaOf(driver)).toEqual(before);
          expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '002']);
          expect((await manager.migrate({ to: '003' })).steps.map((s) => [s.version, s.status])).toEqual([['003', 'applied']]);
        },
      );

      it.skipIf(driverUnderTest.atomicBatches === true)('runs a transaction: false migration outside a transaction', async () => {
        const manager = await manage({
          ...SMALL,
          '004_rebuild_posts/up.sql':
            "PRAGMA foreign_keys = OFF;\nCREATE TABLE posts_new (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE, title TEXT NOT NULL DEFAULT '');\nINSERT INTO posts_new SELECT id, user_id, coalesce(title, '') FROM posts;\nDROP TABLE posts;\nALTER TABLE posts_new RENAME TO posts;\nPRAGMA foreign_keys = ON;\n",
          '004_rebuild_posts/meta.yaml': 'transaction: false\ndependencies: ["002"]\n',
        });
        await manager.migrate({ to: '003' });
        const driver = open[0] as Driver;
        await driver.exec(
          "INSERT INTO users (id, email) VALUES (1, 'a@b'); INSERT INTO posts (user_id, title) VALUES (1, NULL);",
        );
        expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['004', 'applied']]);
        expect(await driver.query('SELECT user_id, title FROM posts')).toEqual([{ user_id: 1, title: '' }]);
        expect(await driver.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '002', '003', '004']);
      });

      it('persists once per run that changed something, and never for a no-op or a dry run', async () => {
        const driver = await openDriver();
        let persisted = 0;
        const counting: Driver = {
          name: driver.name,
          exec: (sql) => driver.exec(sql),
          query: (sql, params) => driver.query(sql, params),
          run: (sql, params) => driver.run(sql, params),
          inTransaction: () => driver.inTransaction(),
          ...(driver.batch === undefined ? {} : { batch: driver.batch.bind(driver) }),
          persist: async () => {
            persisted += 1;
            await driver.persist?.();
          },
          close: () => driver.close(),
        };
        const failing = { ...SMALL, '003_add_tags/up.sql': 'CREATE TABLE tags (id INTEGER);\nSELECT * FROM nowhere;\n' };
        const manager = new MigrationManager({ driver: counting, migrations: failing });
        await manager.migrate({ dryRun: true });
        expect(persisted).toBe(0);
        await expect(manager.migrate()).rejects.toMatchObject({ code: 'MIGRATION_FAILED', version: '003' });
        expect(persisted).toBe(1);
        await expect(manager.migrate()).rejects.toMatchObject({ code: 'MIGRATION_FAILED', version: '003' });
        expect(persisted).toBe(1);
        await manager.rollback('002');
        expect(persisted).toBe(2);
        await driver.close();
        const reopened = await openDriver();
        expect((await historyOf(reopened)).map((h) => h.version)).toEqual(['001']);
      });

      // Through a batch, the race is another: see the next test.
      it.runIf(driverUnderTest.sharesFileBetweenConnections && driverUnderTest.atomicBatches !== true)(
        'skips a migration another connection applied after the run was planned',
        async () => {
          const late = await openDriver();
          const other = new MigrationManager({ driver: await openDriver(), migrations: SMALL });
          let raced = false;
          // The other process commits everything between this run's plan and its first write lock. The racing
          // connection takes no Strata lock (another program's, or a driver without one), which would keep the other
          // run out from the start; SQLite's write lock and the history read inside it are what this is about.
          const { exclusive: _lock, ...unlocked } = late;
          const racing: Driver = {
            ...unlocked,
            name: late.name,
            exec: async (sql) => {
              if (sql === 'BEGIN IMMEDIATE' && !raced) {
                raced = true;
                await other.migrate();
              }
              await late.exec(sql);
            },
            query: (sql, params) => late.query(sql, params),
            run: (sql, params) => late.run(sql, params),
            inTransaction: () => late.inTransaction(),
            close: () => late.close(),
          };
          const report = await new MigrationManager({ driver: racing, migrations: SMALL }).migrate();
          expect(report.steps.map((s) => [s.version, s.status])).toEqual([
            ['001', 'skipped'],
            ['002', 'skipped'],
            ['003', 'skipped'],
          ]);
          expect((await historyOf(late)).map((h) => h.version)).toEqual(['001', '002', '003']);
        },
      );

      it.runIf(driverUnderTest.atomicBatches === true)(
        'counts a migration another client applied after this run read the history as applied by it, changing nothing',
        async () => {
          const late = await openDriver();
          const other = new MigrationManager({ driver: await openDriver(), migrations: SMALL });
          const batch = late.batch?.bind(late);
          if (batch === undefined) throw new Error('the driver has no batch()');
          let raced = false;
          // The other client applies everything between this run's history read and its first batch.
          const racing: Driver = {
            name: late.name,
            exec: (sql) => late.exec(sql),
            query: (sql, params) => late.query(sql, params),
            run: (sql, params) => late.run(sql, params),
            inTransaction: () => false,
            batch: async (statements) => {
              if (!raced) {
                raced = true;
                await other.migrate();
              }
              return batch(statements);
            },
            close: () => late.close(),
          };
          const report = await new MigrationManager({ driver: racing, migrations: SMALL }).migrate();
          expect(report.steps.map((s) => [s.version, s.status])).toEqual([
            ['001', 'skipped'],
            ['002', 'skipped'],
            ['003', 'skipped'],
          ]);
          expect((await historyOf(late)).map((h) => h.version)).toEqual(['001', '002', '003']);
          // Rolled back by the other client first: this client's rollback finds no row and changes nothing.
          raced = false;
          const rollingOther = new MigrationManager({ driver: await openDriver(), migrations: SMALL });
          racing.batch = async (statements) => {
            if (!raced) {
              raced = true;
              await rollingOther.rollback('003');
            }
            return batch(statements);
          };
          const rollback = await new MigrationManager({ driver: racing, migrations: SMALL }).rollback('003');
          expect(rollback.steps.map((s) => [s.version, s.status])).toEqual([['003', 'skipped']]);
          expect((await historyOf(late)).map((h) => h.version)).toEqual(['001', '002']);
          expect(await tablesOf(late)).toEqual(['posts', 'schema_migrations', 'users']);
        },
      );

      it('uses a history table of another name, and refuses one that is not an identifier', async () => {
        const manager = await manage(SMALL, { table: 'app_migrations' });
        await manager.migrate();
        const driver = open[0] as Driver;
        expect(await tablesOf(driver)).toEqual(['app_migrations', 'posts', 'tags', 'users']);
        expect((await historyOf(driver, 'app_migrations')).length).toBe(3);
        for (const table of ['x; DROP TABLE users', 'sqlite_master', '1abc', 'a"b', '']) {
          expect(() => new MigrationManager({ driver, migrations: SMALL, table })).toThrow(
            expect.objectContaining({ code: 'INVALID_OPTION' }),
          );
        }
      });

      it('accepts migrations registered in code', async () => {
        const manager = await manage(SMALL);
        manager.registerMigration({
          version: '004',
          name: 'add_notes',
          up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);',
          down: 'DROP TABLE notes;',
          meta: { dependencies: ['003'] },
        });
        manager.registerMigration({ version: '5', name: 'Bad', up: '' });
        expect((await manager.validate()).problems.map((p) => p.code)).toEqual(['INVALID_MIGRATION']);
        const valid = await manage(SMALL, { driver: open[0] as Driver });
        valid.registerMigration({
          version: '004',
          name: 'add_notes',
          up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);',
          meta: { dependencies: ['003'] },
        });
        expect((await valid.migrate()).steps.map((s) => s.version)).toEqual(['001', '002', '003', '004']);
        expect(await tablesOf(open[0] as Driver)).toContain('notes');
      });

      it('names a failing migration registered in code as defined in code, since it has no file', async () => {
        const manager = await manage(SMALL);
        manager.registerMigration({
          version: '004',
          name: 'add_notes',
          up: 'CREATE TABLE notes (id INTEGER PRIMARY KEY);\nINSERT INTO nowhere VALUES (1);',
          meta: { dependencies: ['003'] },
        });
        const failure = await manager.migrate().catch((error: unknown) => error);
        expect(failure).toMatchObject({
          code: 'MIGRATION_FAILED',
          version: '004',
          file: '004_add_notes (up, defined in code)',
          line: 2,
          column: 13,
          message:
            'migration 004 (add_notes) failed at 004_add_notes (up, defined in code):2:13, and the database was left as before it: no such table: nowhere\n' +
            '  INSERT INTO nowhere VALUES (1)',
        });
        expect(await tablesOf(open[0] as Driver)).not.toContain('notes');
      });

      it('plans the same from a folder on disk and from a map of files', async () => {
        writeFiles(temp.path, Object.fromEntries(Object.entries(SMALL).map(([k, v]) => [`migrations/${k}`, v])));
        const fromDisk = await manage(await loadMigrationsFolder(join(temp.path, 'migrations')));
        const fromMap = new MigrationManager({ driver: open[0] as Driver, migrations: SMALL });
        expect(fromDisk.migrations()).toEqual(fromMap.migrations());
        expect((await fromDisk.migrate({ dryRun: true })).steps).toEqual((await fromMap.migrate({ dryRun: true })).steps);
        expect(await readMigrationsFolder(join(temp.path, 'migrations'))).toEqual(SMALL);
      });
    });

    describe('rolling back', () => {
      it('restores the exact schema for every built-in migration, one at a time', async () => {
        const manager = await manage(await loadMigrationsFolder(BUILT_IN_MIGRATIONS));
        const driver = open[0] as Driver;
        for (const migration of manager.migrations()) {
          const before = await schemaOf(driver);
          await manager.migrate({ to: migration.version });
          const after = await schemaOf(driver);
          expect(after).not.toEqual(before);
          expect((await manager.rollback(migration.version)).steps.map((s) => [s.version, s.status])).toEqual([
            [migration.version, 'rolled-back'],
          ]);
          const schemaBack = (await schemaOf(driver)).filter((line) => !line.includes('schema_migrations'));
          expect(schemaBack).toEqual(before.filter((line) => !line.includes('schema_migrations')));
          await manager.migrate({ to: migration.version });
          expect(await schemaOf(driver)).toEqual(after);
        }
      });

      it('rolls everything back to an empty schema, newest first', async () => {
        const manager = await manage(await loadMigrationsFolder(BUILT_IN_MIGRATIONS));
        await manager.migrate();
        const report = await manager.rollback('001', { cascade: true });
        expect(report.steps.map((s) => s.version)).toEqual(['003', '002', '001']);
        const driver = open[0] as Driver;
        expect(await tablesOf(driver)).toEqual(['schema_migrations']);
        expect(await historyOf(driver)).toEqual([]);
      });

      it('refuses while dependents are applied, and cascades when asked', async () => {
        const manager = await manage(SMALL);
        await manager.migrate();
        const driver = open[0] as Driver;
        await expect(manager.rollback('001')).rejects.toMatchObject({
          code: 'DEPENDENTS_APPLIED',
          version: '001',
          message:
            'migration 001_create_users cannot be rolled back while 002_create_posts depends on it; roll it back first or use cascade',
        });
        expect((await historyOf(driver)).length).toBe(3);
        expect((await manager.rollback('3')).steps.map((s) => s.version)).toEqual(['003']);
        expect((await manager.rollback('001', { cascade: true })).steps.map((s) => s.version)).toEqual(['002', '001']);
        expect(await tablesOf(driver)).toEqual(['schema_migrations']);
      });

      it('refuses a migration without down.sql, one not applied, and an unknown version', async () => {
        const { '003_add_tags/down.sql': _, ...files } = SMALL;
        const manager = await manage(files);
        await manager.migrate({ to: '001' });
        await expect(manager.rollback('002')).rejects.toMatchObject({ code: 'NOT_APPLIED', version: '002' });
        await expect(manager.rollback('042')).rejects.toMatchObject({ code: 'UNKNOWN_VERSION' });
        await manager.migrate();
        await expect(manager.rollback('003')).rejects.toMatchObject({
          code: 'IRREVERSIBLE',
          file: '003_add_tags/down.sql',
          message:
            'migration 003_add_tags has no down.sql, so it cannot be rolled back; write the SQL that undoes up.sql in 003_add_tags/down.sql to make it reversible',
        });
        expect((await historyOf(open[0] as Driver)).length).toBe(3);
      });

      it('leaves everything as it was when down.sql fails', async () => {
        const manager = await manage({ ...SMALL, '003_add_tags/down.sql': 'DROP TABLE tags;\nDROP TABLE nothing_here;\n' });
        await manager.migrate();
        const driver = open[0] as Driver;
        const before = await schemaOf(driver);
        await expect(manager.rollback('003')).rejects.toMatchObject({
          code: 'ROLLBACK_FAILED',
          file: '003_add_tags/down.sql',
          line: 2,
          column: 12,
          message:
            'rolling back migration 003 (add_tags) failed at 003_add_tags/down.sql:2:12, and the database was left as before it: no such table: nothing_here\n  DROP TABLE nothing_here',
        });
        expect(await schemaOf(driver)).toEqual(before);
        expect((await historyOf(driver)).length).toBe(3);
      });
    });

    describe.runIf(driverUnderTest.kysely !== undefined)('kysely on the same connection', () => {
      const dialectOf = (driver: D): Dialect => {
        if (driverUnderTest.kysely === undefined) throw new Error('the driver has no kysely dialect');
        return driverUnderTest.kysely(driver);
      };
      interface Database {
        users: { id: Generated<number>; email: string };
        posts: { id: Generated<number>; user_id: number; title: string | null };
      }

      it('queries the migrated schema with types', async () => {
        const driver = await openDriver();
        await new MigrationManager({ driver, migrations: parseMigrationFiles(SMALL) }).migrate();
        const db = new Kysely<Database>({ dialect: dialectOf(driver) });
        const inserted = await db.insertInto('users').values({ email: 'ada@example.com' }).executeTakeFirstOrThrow();
        expect(inserted.insertId).toBe(1n);
        await db.insertInto('posts').values({ user_id: 1, title: 'Notes' }).execute();
        const rows = await db
          .selectFrom('posts')
          .innerJoin('users', 'users.id', 'posts.user_id')
          .select(['users.email', 'posts.title'])
          .execute();
        expect(rows).toEqual([{ email: 'ada@example.com', title: 'Notes' }]);
        const updated = await db.updateTable('posts').set({ title: 'Drafts' }).where('id', '>', 0).executeTakeFirstOrThrow();
        expect(updated.numUpdatedRows).toBe(1n);
        expect(await driver.query('SELECT title FROM posts')).toEqual([{ title: 'Drafts' }]);
        await db.destroy();
      });

      it.skipIf(driverUnderTest.atomicBatches === true)(
        'shares transactions with the driver, and leaves the connection open when destroyed',
        async () => {
          const driver = await openDriver();
          await new MigrationManager({ driver, migrations: parseMigrationFiles(SMALL) }).migrate();
          const db = new Kysely<Database>({ dialect: dialectOf(driver) });
          await db.transaction().execute(async (trx) => {
            await trx.insertInto('users').values({ email: 'kept@example.com' }).execute();
            expect(driver.inTransaction()).toBe(true);
          });
          const abort = db.transaction().execute(async (trx) => {
            await trx.insertInto('users').values({ email: 'dropped@example.com' }).execute();
            throw new Error('abort');
          });
          await expect(abort).rejects.toThrow('abort');
          expect(driver.inTransaction()).toBe(false);
          await db.destroy();
          expect(await driver.query('SELECT email FROM users')).toEqual([{ email: 'kept@example.com' }]);
        },
      );
    });
  });
}
