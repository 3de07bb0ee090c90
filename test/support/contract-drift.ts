import { join } from 'node:path';
import { type Driver, MigrationManager, type StatusReport } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir } from './fixtures.js';

/** A small app: two tables, an index, a view and a trigger, in two migrations. */
const APP = {
  '001_users/up.sql': `CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);
CREATE INDEX idx_users_email ON users (email);
CREATE VIEW user_names AS SELECT name FROM users;
CREATE TRIGGER users_email_lower AFTER INSERT ON users BEGIN UPDATE users SET email = lower(email) WHERE id = new.id; END;
`,
  '002_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT);\n',
  '002_posts/meta.yaml': 'dependencies: ["001"]\n',
};

/** A change made by hand, and the sentences the drift check must say for it, and nothing else. */
const CHANGES: readonly (readonly [string, string, readonly string[]])[] = [
  ['a table added', 'CREATE TABLE audit (id INTEGER PRIMARY KEY, at TEXT)', ['table audit added']],
  ['a table dropped', 'DROP TABLE posts', ['table posts removed']],
  ['a column added', 'ALTER TABLE users ADD COLUMN phone TEXT', ['table users: column phone TEXT added']],
  ['an index added', 'CREATE UNIQUE INDEX idx_posts_title ON posts (title)', ['index idx_posts_title added']],
  ['an index dropped', 'DROP INDEX idx_users_email', ['index idx_users_email removed']],
  ['a view added', 'CREATE VIEW post_titles AS SELECT title FROM posts', ['view post_titles added']],
  [
    'a view changed',
    'DROP VIEW user_names; CREATE VIEW user_names AS SELECT name, email FROM users',
    [
      'view user_names: definition changed: create view user_names as select name from users → create view user_names as select name,email from users',
    ],
  ],
  [
    'a trigger added',
    'CREATE TRIGGER posts_title AFTER INSERT ON posts BEGIN UPDATE posts SET title = trim(title) WHERE id = new.id; END',
    ['trigger posts_title added'],
  ],
  ['a trigger dropped', 'DROP TRIGGER users_email_lower', ['trigger users_email_lower removed']],
  [
    "a column's type and NOT NULL changed by a rebuild",
    `CREATE TABLE posts_new (id INTEGER PRIMARY KEY, user_id INTEGER, title VARCHAR(200) NOT NULL);
     INSERT INTO posts_new SELECT id, user_id, coalesce(title, '') FROM posts;
     DROP TABLE posts;
     ALTER TABLE posts_new RENAME TO posts`,
    [
      'table posts: column user_id: NOT NULL removed',
      'table posts: column title: type TEXT → VARCHAR(200)',
      'table posts: column title: NOT NULL added',
    ],
  ],
];

/** The message of the SCHEMA_DRIFT problem for these sentences. */
const driftMessage = (sentences: readonly string[]) =>
  `the database schema is not the one its applied migrations build: ${sentences.join('; ')}; write a migration for a change made on purpose, or undo it`;

/**
 * A driver that counts the scratch databases opened through it, to show which calls replay migrations and which do
 * not.
 */
function countingScratches(driver: Driver): { driver: Driver; scratches: () => number } {
  let scratches = 0;
  const { scratch } = driver;
  return {
    scratches: () => scratches,
    driver: {
      name: driver.name,
      exec: (sql) => driver.exec(sql),
      query: (sql, params) => driver.query(sql, params),
      run: (sql, params) => driver.run(sql, params),
      inTransaction: () => driver.inTransaction(),
      ...(driver.batch === undefined ? {} : { batch: driver.batch.bind(driver) }),
      ...(scratch === undefined
        ? {}
        : {
            scratch: () => {
              scratches++;
              return scratch.call(driver);
            },
          }),
      close: () => driver.close(),
    },
  };
}

/** Schema drift found by `status` and `validate` with `{ drift: true }`. A driver's contract test calls this. */
export function describeDriftContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`schema drift: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    const opened: Driver[] = [];
    const database = async (file = 'app.db') => {
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

    /** The drift fields and problems of a status report, the parts a drift test looks at. */
    const driftOf = (report: Pick<StatusReport, 'drift' | 'driftSkipped' | 'problems'>) => ({
      drift: report.drift?.map((d) => d.message),
      driftSkipped: report.driftSkipped,
      problems: report.problems.map((p) => p.toJSON()),
    });

    it.each(CHANGES)('finds %s, and nothing else', async (_, sql, sentences) => {
      const driver = await database();
      const manager = new MigrationManager({ driver, migrations: APP });
      await manager.migrate();
      expect(driftOf(await manager.status({ drift: true }))).toEqual({ drift: [], driftSkipped: undefined, problems: [] });

      await driver.exec(sql);
      const problems = [{ code: 'SCHEMA_DRIFT', message: driftMessage(sentences) }];
      expect(driftOf(await manager.status({ drift: true }))).toEqual({ drift: sentences, driftSkipped: undefined, problems });
      expect(driftOf(await manager.validate({ drift: true }))).toEqual({ drift: sentences, driftSkipped: undefined, problems });
    });

    it('finds none on the built-in migrations, after rows, ANALYZE (sqlite_stat1) and VACUUM', async () => {
      const driver = await database();
      const manager = new MigrationManager({ driver, migrations: await loadMigrationsFolder(BUILT_IN_MIGRATIONS) });
      await manager.migrate();
      const none = { drift: [], driftSkipped: undefined, problems: [] };
      expect(driftOf(await manager.status({ drift: true }))).toEqual(none);
      await driver.exec("INSERT INTO users (email, display_name) VALUES ('ada@example.com', 'Ada')");
      await driver.exec("INSERT INTO user_preferences (user_id, key, value) VALUES (1, 'theme', 'dark')");
      await driver.exec('ANALYZE');
      expect(await driver.query("SELECT count(*) AS n FROM sqlite_master WHERE name = 'sqlite_stat1'")).toEqual([{ n: 1 }]);
      expect(driftOf(await manager.status({ drift: true }))).toEqual(none);
      await driver.exec('VACUUM');
      expect(driftOf(await manager.status({ drift: true }))).toEqual(none);
      expect(driftOf(await manager.validate({ drift: true }))).toEqual(none);
    });

    it('never counts sqlite_sequence, FTS shadow tables or a history table under another name as drift', async () => {
      const driver = await database();
      const migrations = {
        '001_notes/up.sql': `CREATE TABLE notes (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT);
CREATE VIRTUAL TABLE notes_search USING fts4(body);
`,
      };
      const manager = new MigrationManager({ driver, migrations, table: 'applied_versions' });
      await manager.migrate();
      await driver.exec("INSERT INTO notes (body) VALUES ('a'); INSERT INTO notes_search (body) VALUES ('a')");
      const tables = await driver.query<{ name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
      expect(tables.map((t) => t.name)).toEqual(
        expect.arrayContaining(['applied_versions', 'notes_search_content', 'notes_search_segments', 'sqlite_sequence']),
      );
      expect(driftOf(await manager.status({ drift: true }))).toEqual({ drift: [], driftSkipped: undefined, problems: [] });
      await driver.exec('CREATE INDEX idx_applied_versions_name ON applied_versions (name)');
      expect(driftOf(await manager.status({ drift: true }))).toEqual({ drift: [], driftSkipped: undefined, problems: [] });
    });

    it('compares a database built by hand and baselined with what its migrations build', async () => {
      const same = await database('same.db');
      await same.exec(`${APP['001_users/up.sql']}${APP['002_posts/up.sql']}`);
      const manager = new MigrationManager({ driver: same, migrations: APP });
      await manager.baseline('002', { apply: true });
      expect(driftOf(await manager.status({ drift: true }))).toEqual({ drift: [], driftSkipped: undefined, problems: [] });

      const other = await database('other.db');
      await other.exec(APP['001_users/up.sql']);
      await other.exec('CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, title TEXT, body TEXT)');
      const baselined = new MigrationManager({ driver: other, migrations: APP });
      await baselined.baseline('002', { apply: true });
      const sentences = ['table posts: column body TEXT added'];
      expect(driftOf(await baselined.status({ drift: true }))).toEqual({
        drift: sentences,
        driftSkipped: undefined,
        problems: [{ code: 'SCHEMA_DRIFT', message: driftMessage(sentences) }],
      });
    });

    it('skips the check, saying why, while an applied migration was edited', async () => {
      const driver = await database();
      await new MigrationManager({ driver, migrations: APP }).migrate();
      await driver.exec('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      const edited = { ...APP, '002_posts/up.sql': 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n' };
      const report = await new MigrationManager({ driver, migrations: edited }).status({ drift: true });
      expect(report.problems.map((p) => p.code)).toEqual(['CHECKSUM_MISMATCH']);
      expect(report.drift).toBeUndefined();
      expect(report.driftSkipped).toBe(
        'the migrations folder or the history has problems (CHECKSUM_MISMATCH 002), so replaying the applied migrations would not build what they built; fix those first',
      );
      const missing = await new MigrationManager({
        driver,
        migrations: { '001_users/up.sql': APP['001_users/up.sql'] },
      }).validate({
        drift: true,
      });
      expect(missing.problems.map((p) => p.code)).toEqual(['APPLIED_MISSING']);
      expect(missing.driftSkipped).toMatch(/\(APPLIED_MISSING 002\)/);
    });

    it('says so, without failing, when an applied migration fails on the empty database', async () => {
      const driver = await database();
      await driver.exec(
        "CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT); INSERT INTO settings VALUES ('theme', 'dark')",
      );
      const migrations = {
        '001_theme/up.sql': "UPDATE settings SET value = 'light';\nINSERT INTO settings VALUES ('lang', 'en');\n",
      };
      const manager = new MigrationManager({ driver, migrations });
      await manager.migrate();
      const report = await manager.status({ drift: true });
      expect(report.problems).toEqual([]);
      expect(report.drift).toBeUndefined();
      expect(report.driftSkipped).toBe(
        'migration 001 (001_theme/up.sql:1:8) fails when the applied migrations are replayed on an empty database: no such table: settings; it needs something no migration before it makes (a table made by hand, an extension), so there is no schema to compare with',
      );
    });

    it('finds no drift on a new database, and explains a database with tables but no history', async () => {
      const empty = await database('new.db');
      const none = { drift: [], driftSkipped: undefined, problems: [] };
      expect(driftOf(await new MigrationManager({ driver: empty, migrations: APP }).status({ drift: true }))).toEqual(none);
      expect(driftOf(await new MigrationManager({ driver: empty, migrations: APP }).validate({ drift: true }))).toEqual(none);

      const unmanaged = await database('unmanaged.db');
      await unmanaged.exec(APP['001_users/up.sql']);
      const report = await new MigrationManager({ driver: unmanaged, migrations: APP }).status({ drift: true });
      expect(report.problems).toEqual([]);
      expect(report.drift).toBeUndefined();
      expect(report.driftSkipped).toBe(
        'the database has no history table schema_migrations, so no migration is recorded as applied, but it holds users, idx_users_email, user_names, users_email_lower; if another table records its migrations, name that one as the history table, and if migrations built these, baseline records those migrations as applied',
      );
    });

    it('replays only when asked: status by default, validate without replay, and stats, neither check nor pay for it', async () => {
      const { driver, scratches } = countingScratches(await database());
      const manager = new MigrationManager({ driver, migrations: APP });
      await manager.migrate();
      await driver.exec('CREATE TABLE audit (id INTEGER PRIMARY KEY)');
      const status = await manager.status();
      const validation = await manager.validate({ replay: false });
      const stats = await manager.stats();
      expect([status, validation].map((r) => ['drift' in r, 'driftSkipped' in r, r.problems.length])).toEqual([
        [false, false, 0],
        [false, false, 0],
      ]);
      expect(stats.health.status).toBe('ok');
      expect(scratches()).toBe(0);
      expect((await manager.status({ drift: true })).drift?.map((d) => d.message)).toEqual(['table audit added']);
      expect(scratches()).toBe(1);
    });
  });
}
