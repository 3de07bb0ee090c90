import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Driver, MigrationManager } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, historyOf, makeTempDir, schemaOf } from './fixtures.js';

const USERS = {
  '001_users/up.sql': [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
    "INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'bob@example.com');",
    '',
  ].join('\n'),
  '001_users/down.sql': 'DROP TABLE users;\n',
};

/**
 * `validate`'s replay of every migration on an empty database in memory (`REPLAY_FAILED`, with the failing token's
 * line and column), and its round trips of every down.sql (`ROUND_TRIP_FAILED`). A driver's contract test calls this.
 */
export function describeReplayContract(
  name: string,
  open: (path: string) => Promise<Driver>,
  options: {
    /**
     * The driver applies atomic batches (`Driver.batch`), and so does its scratch database: a `transaction: false`
     * migration is refused there (`NOT_SUPPORTED`) as on the database itself, instead of being replayed.
     */
    readonly atomicBatches?: boolean;
  } = {},
): void {
  const batches = options.atomicBatches === true;
  const refusedUnbatched = (version: string, name: string) => ({
    code: 'NOT_SUPPORTED',
    file: `${version}_${name}/meta.yaml`,
    message: expect.stringMatching(
      new RegExp(
        `^migration ${version} \\(${name}\\) is transaction: false \\(${version}_${name}/meta\\.yaml\\), which must run outside a transaction; the .+ driver applies each migration as one atomic batch`,
      ),
    ),
    version,
  });
  describe(`replay contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    const manage = (files: Record<string, string>) => new MigrationManager({ driver, migrations: { ...USERS, ...files } });
    beforeEach(async () => {
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
      // 001 is applied: the replay must build it again for what comes after.
      await manage({}).migrate();
    });
    afterEach(async () => {
      await driver.close();
      temp.remove();
    });

    it('finds a trailing comma in a migration not applied yet, at the token SQLite names, and touches no database', async () => {
      const manager = manage({
        '002_posts/up.sql': '-- posts\nCREATE TABLE posts (\n  id INTEGER PRIMARY KEY,\n  title TEXT,\n);\n',
        '002_posts/meta.yaml': 'dependencies: ["001"]\n',
        '003_emails/up.sql': 'CREATE UNIQUE INDEX idx_users_email ON users (email);\n',
      });
      const before = await schemaOf(driver);
      const report = await manager.validate();
      expect(report.problems.map((p) => p.toJSON())).toEqual([
        {
          code: 'REPLAY_FAILED',
          message:
            'migration 002 (posts) failed on the in-memory replay at 002_posts/up.sql:5:1: near ")": syntax error\n' +
            '  CREATE TABLE posts (\n    id INTEGER PRIMARY KEY,\n    title TEXT,\n  )',
          version: '002',
          file: '002_posts/up.sql',
          line: 5,
          column: 1,
        },
      ]);
      expect(report.notReplayed).toEqual([]);
      expect(await schemaOf(driver)).toEqual(before);
      expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001']);
      expect((await manager.validate({ replay: false })).problems).toEqual([]);
    });

    it('picks the occurrence of a repeated token that the parser stopped at', async () => {
      const report = await manage({
        '002_prices/up.sql': 'CREATE TABLE prices (amount DECIMAL(10, 2), currency TEXT,)',
        '003_notes/up.sql': 'CREATE TABLE notes (body TEXT, "title" TEXT, "Body" TEXT)',
        // SQLite's `<=` is two of the tokenizer's characters.
        '004_compare/up.sql': 'CREATE VIEW compare AS SELECT 1 <= <= 2',
      }).validate();
      expect(report.problems.map((p) => [p.line, p.column, p.message.split('\n')[0]])).toEqual([
        [1, 59, 'migration 002 (prices) failed on the in-memory replay at 002_prices/up.sql:1:59: near ")": syntax error'],
        // The second of the two: the first one is the column the duplicate repeats.
        [1, 46, 'migration 003 (notes) failed on the in-memory replay at 003_notes/up.sql:1:46: duplicate column name: Body'],
        [1, 36, 'migration 004 (compare) failed on the in-memory replay at 004_compare/up.sql:1:36: near "<=": syntax error'],
      ]);
    });

    it('names a missing table where it is used, lists what depends on the failure, and checks what does not', async () => {
      const report = await manage({
        '002_index/up.sql': "SELECT 1;\nCREATE INDEX idx_x -- nope(x) is not made yet\n  ON nope (x) WHERE x <> 'nope';\n",
        '003_more/up.sql': 'CREATE TABLE more (id INTEGER PRIMARY KEY);\n',
        '003_more/meta.yaml': 'dependencies: ["002"]\n',
        '004_most/up.sql': 'CREATE TABLE most (id INTEGER PRIMARY KEY);\n',
        '004_most/meta.yaml': 'dependencies: ["003"]\n',
        '005_audit/up.sql':
          "INSERT INTO users (id, email) VALUES (3, 'cy@example.com');\nINSERT INTO ghosts SELECT * FROM users;\n",
      }).validate();
      expect(report.problems.map((p) => [p.code, p.file, p.line, p.column, p.message])).toEqual([
        [
          'REPLAY_FAILED',
          '002_index/up.sql',
          3,
          6,
          'migration 002 (index) failed on the in-memory replay at 002_index/up.sql:3:6: no such table: main.nope\n' +
            "  CREATE INDEX idx_x -- nope(x) is not made yet\n    ON nope (x) WHERE x <> 'nope'",
        ],
        [
          'REPLAY_FAILED',
          '005_audit/up.sql',
          2,
          13,
          'migration 005 (audit) failed on the in-memory replay at 005_audit/up.sql:2:13: no such table: ghosts\n  INSERT INTO ghosts SELECT * FROM users',
        ],
      ]);
      expect(report.notReplayed).toEqual([
        { version: '003', name: 'more', after: ['002'] },
        { version: '004', name: 'most', after: ['002'] },
      ]);
    });

    it('replays a transaction: false migration, and says a failure there happened on the in-memory replay', async () => {
      const report = await manage({
        '002_ext/up.sql': "CREATE TABLE fine (id INTEGER);\nSELECT load_extension('./nowhere');\n",
        '002_ext/meta.yaml': 'transaction: false\n',
      }).validate();
      expect(report.problems).toHaveLength(1);
      if (batches) {
        expect(report.problems[0]?.toJSON()).toEqual(refusedUnbatched('002', 'ext'));
        return;
      }
      expect(report.problems[0]?.code).toBe('REPLAY_FAILED');
      expect(report.problems[0]?.message).toMatch(
        /^migration 002 \(ext\) failed on the in-memory replay at 002_ext\/up\.sql:2:\d+: /,
      );
      expect(await schemaOf(driver)).not.toContainEqual(expect.stringContaining('fine'));
    });

    it('does not run an ATTACH of a file, which would create it, and says the replay could not run it', async () => {
      const archive = join(temp.path, 'archive.db');
      const report = await manage({
        '002_archive/up.sql': `SELECT 1;\nATTACH DATABASE '${archive}' AS archive;\n`,
        '002_archive/meta.yaml': 'transaction: false\n',
        '003_scratch/up.sql': "ATTACH ':memory:' AS scratch;\nCREATE TABLE scratch.t (id INTEGER);\n",
        '003_scratch/meta.yaml': 'transaction: false\n',
      }).validate();
      expect(report.problems.map((p) => p.toJSON())).toEqual([
        {
          code: 'REPLAY_FAILED',
          message: `migration 002 (archive) cannot run on the in-memory replay at 002_archive/up.sql:2:1: it attaches the database '${archive}', a file the replay does not create; check this migration with --no-replay (replay: false)`,
          version: '002',
          file: '002_archive/up.sql',
          line: 2,
          column: 1,
        },
        // The replay goes on after a migration it cannot run; 003 is refused where it would need no transaction.
        ...(batches ? [refusedUnbatched('003', 'scratch')] : []),
      ]);
      expect(existsSync(archive)).toBe(false);
    });

    it('finds an error in a down.sql with a round trip only', async () => {
      const manager = manage({
        '002_notes/up.sql': 'CREATE TABLE notes (id INTEGER PRIMARY KEY);\n',
        '002_notes/down.sql': 'DROP TABLE notes;\nDROP TABLE nope;\n',
      });
      expect((await manager.validate()).problems).toEqual([]);
      const report = await manager.validate({ roundTrip: true });
      expect(report.problems.map((p) => p.toJSON())).toEqual([
        {
          code: 'ROUND_TRIP_FAILED',
          message:
            'rolling back migration 002 (notes) failed on the in-memory round trip at 002_notes/down.sql:2:12: no such table: nope\n  DROP TABLE nope',
          version: '002',
          file: '002_notes/down.sql',
          line: 2,
          column: 12,
        },
      ]);
      expect(report.roundTrips).toEqual([
        { version: '001', name: 'users', outcome: 'passed' },
        { version: '002', name: 'notes', outcome: 'failed', differences: [] },
      ]);
    });

    it('finds a down.sql that forgets an index, and one that changes or loses rows, and goes on', async () => {
      const report = await manage({
        '002_index/up.sql': 'CREATE UNIQUE INDEX idx_users_email ON users (email);\n',
        '002_index/down.sql': '-- the index stays\nSELECT 1;\n',
        '003_shout/up.sql': 'UPDATE users SET email = upper(email) WHERE id = 1;\n',
        '003_shout/down.sql': 'UPDATE users SET email = lower(email) WHERE id = 2;\n',
        '004_names/up.sql': 'ALTER TABLE users ADD COLUMN name TEXT;\n',
        '004_names/down.sql': 'DROP TABLE users;\nCREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\n',
        '005_plain/up.sql': 'CREATE TABLE plain (id INTEGER PRIMARY KEY);\n',
      }).validate({ roundTrip: true });
      expect(report.problems.map((p) => [p.code, p.file, p.message])).toEqual([
        [
          'ROUND_TRIP_FAILED',
          '002_index/down.sql',
          'migration 002 (index): down.sql does not restore the database as it was before up.sql, on the in-memory round trip: index idx_users_email added',
        ],
        [
          'ROUND_TRIP_FAILED',
          '003_shout/down.sql',
          'migration 003 (shout): down.sql does not restore the database as it was before up.sql, on the in-memory round trip: table users: rows differ (2 before, 2 after)',
        ],
        [
          'ROUND_TRIP_FAILED',
          '004_names/down.sql',
          'migration 004 (names): down.sql does not restore the database as it was before up.sql, on the in-memory round trip: index idx_users_email removed; table users: rows differ (2 before, 0 after)',
        ],
      ]);
      expect(report.roundTrips?.map((r) => [r.version, r.outcome, r.differences])).toEqual([
        ['001', 'passed', undefined],
        ['002', 'failed', ['index idx_users_email added']],
        ['003', 'failed', ['table users: rows differ (2 before, 2 after)']],
        // The table made again has lost the index that the replay, built again after 002, has.
        ['004', 'failed', ['index idx_users_email removed', 'table users: rows differ (2 before, 0 after)']],
        ['005', 'skipped', undefined],
      ]);
      expect(report.roundTrips?.[4]).toEqual({ version: '005', name: 'plain', outcome: 'skipped', reason: 'no-down' });
    });

    it('finds an up.sql that builds something else when applied again after its down.sql', async () => {
      const report = await manage({
        '002_events/up.sql': 'CREATE TABLE events (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL);\n',
        '003_seed/up.sql': "INSERT INTO events (name) VALUES ('seeded');\n",
        '003_seed/down.sql': "DELETE FROM events WHERE name = 'seeded';\n",
        '003_seed/meta.yaml': 'dependencies: ["002"]\n',
      }).validate({ roundTrip: true });
      expect(report.problems.map((p) => [p.code, p.file, p.message])).toEqual([
        [
          'ROUND_TRIP_FAILED',
          '003_seed/up.sql',
          'migration 003 (seed): up.sql, applied again after down.sql on the in-memory round trip, builds something else than the first time: table events: rows differ (1 before, 1 after)',
        ],
      ]);
    });

    it('leaves out of the comparison the columns whose default is the time of the insert', async () => {
      const report = await manage({
        '002_events/up.sql': 'CREATE TABLE events (id INTEGER PRIMARY KEY, at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP);\n',
        // Milliseconds: the second application of up.sql writes another value than the first.
        '003_seed/up.sql': "INSERT INTO events (id, at) VALUES (1, strftime('%Y-%m-%d %H:%M:%f', 'now'));\n",
        '003_seed/down.sql': 'DELETE FROM events WHERE id = 1;\n',
        '003_seed/meta.yaml': 'dependencies: ["002"]\n',
      }).validate({ roundTrip: true });
      expect(report.problems).toEqual([]);
      expect(report.roundTrips?.map((r) => r.outcome)).toEqual(['passed', 'skipped', 'passed']);
    });

    it('passes on the built-in migrations', async () => {
      const fresh = await open(join(temp.path, 'built-in.db'));
      const manager = new MigrationManager({ driver: fresh, migrations: await loadMigrationsFolder(BUILT_IN_MIGRATIONS) });
      const report = await manager.validate({ roundTrip: true });
      expect(report.problems).toEqual([]);
      expect(report.roundTrips?.map((r) => [r.version, r.outcome])).toEqual([
        ['001', 'passed'],
        ['002', 'passed'],
        ['003', 'passed'],
      ]);
      await fresh.close();
    });
  });
}
