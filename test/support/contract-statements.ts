import { join } from 'node:path';
import {
  checksumOf,
  type Driver,
  MigrationManager,
  RunError,
  type RunEvent,
  type StrataError,
  type ValidationError,
} from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyOf, makeTempDir, schemaOf } from './fixtures.js';

/** Users, and posts that go with their user (ON DELETE CASCADE): the shape that makes a careless rebuild lose data. */
const BASE = {
  '001_users_posts/up.sql': [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE, title TEXT);',
    'CREATE INDEX idx_posts_user ON posts (user_id);',
    '',
  ].join('\n'),
};

/** SQLite's 12-step table change, for adding a NOT NULL column to users: create, copy, drop, rename. */
const REBUILD_USERS = [
  '-- users gets a name; SQLite cannot add a NOT NULL column without a default any other way',
  "CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT NOT NULL CHECK (name <> ''));",
  "INSERT INTO users_new (id, email, name) SELECT id, email, substr(email, 1, instr(email, '@') - 1) FROM users;",
  'DROP TABLE users;',
  'ALTER TABLE users_new RENAME TO users;',
  '',
].join('\n');

const UNDO_REBUILD = [
  'CREATE TABLE users_old (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
  'INSERT INTO users_old (id, email) SELECT id, email FROM users;',
  'DROP TABLE users;',
  'ALTER TABLE users_old RENAME TO users;',
  '',
].join('\n');

const SEED = [
  "INSERT INTO users (id, email) VALUES (1, 'ada@example.com'), (2, 'bob@example.com');",
  "INSERT INTO posts (id, user_id, title) VALUES (10, 1, 'a'), (11, 1, 'b'), (12, 2, 'c');",
].join('\n');

/**
 * How a driver runs migration scripts statement by statement: errors that name the file, line and column of the
 * failing statement, progress events, statements refused before anything runs, and `foreign_keys: off`, the safe way
 * to rebuild a table that others reference. A driver's test file calls this with a way to open it.
 */
export function describeStatementsContract(
  name: string,
  open: (path: string) => Promise<Driver>,
  options: {
    readonly atomicBatches?: boolean;
    /**
     * The client runs each call on a pooled connection or stream of its own (libSQL over the network), so a PRAGMA
     * sent through `exec` does not reach the connection a migration runs on: the case that turns foreign keys off
     * for the connection is skipped.
     */
    readonly pooledConnections?: boolean;
    /**
     * Foreign key enforcement is the server's setting, which no client turns off (rqlite's `-fk` flag; the driver
     * refuses `PRAGMA foreign_keys`): the test on a connection without enforcement is skipped.
     */
    readonly foreignKeysFixed?: boolean;
  } = {},
): void {
  // An engine that applies atomic batches (`Driver.batch`) runs no transaction: false migration, and no
  // foreign_keys: off one while it enforces foreign keys: those are refused before anything runs.
  const batches = options.atomicBatches === true;
  const pooled = options.pooledConnections === true;
  describe(`statements contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    const events: RunEvent[] = [];
    const manage = (files: Record<string, string>) =>
      new MigrationManager({ driver, migrations: { ...BASE, ...files }, onEvent: (event) => events.push(event) });
    /** A manager for `files` on a database where 001 is applied and holds two users with three posts. */
    const seeded = async (files: Record<string, string>) => {
      await manage({}).migrate();
      await driver.exec(SEED);
      return manage(files);
    };
    const failureOf = (work: Promise<unknown>) =>
      work.then(
        () => expect.fail('expected a failure'),
        (e: unknown) => e as StrataError,
      );
    const count = async (table: string) => (await driver.query<{ n: number }>(`SELECT count(*) AS n FROM ${table}`))[0]?.n;
    const foreignKeys = async () => (await driver.query<{ foreign_keys: number }>('PRAGMA foreign_keys'))[0]?.foreign_keys;

    beforeEach(async () => {
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
      events.length = 0;
    });
    afterEach(async () => {
      await driver.close();
      temp.remove();
    });

    describe('a failing statement', () => {
      const NOTES = [
        '-- 002_notes: up',
        'CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); /* a comment; with a semicolon */',
        "INSERT INTO notes (body) VALUES ('a note",
        "that spans; lines');",
        '   -- the next statement fails',
        '   INSERT INTO nope VALUES (1);',
        'CREATE TABLE never (id);',
        '',
      ].join('\n');

      it('is named by file, line and column, quoted, and the migration is rolled back', async () => {
        const manager = await seeded({ '002_notes/up.sql': NOTES });
        const before = await schemaOf(driver);
        const error = await failureOf(manager.migrate());
        expect(error).toBeInstanceOf(RunError);
        expect(error).toMatchObject({
          code: 'MIGRATION_FAILED',
          version: '002',
          file: '002_notes/up.sql',
          line: 6,
          column: 16,
          message:
            'migration 002 (notes) failed at 002_notes/up.sql:6:16, and the database was left as before it: no such table: nope\n  INSERT INTO nope VALUES (1)',
        });
        expect(error.toJSON()).toMatchObject({ file: '002_notes/up.sql', line: 6, column: 16 });
        expect(await schemaOf(driver)).toEqual(before);
        expect(driver.inTransaction()).toBe(false);
      });

      it.skipIf(batches)('says which statements stayed applied in a transaction: false migration', async () => {
        const manager = await seeded({ '002_notes/up.sql': NOTES, '002_notes/meta.yaml': 'transaction: false\n' });
        const error = await failureOf(manager.migrate());
        expect(error.message).toBe(
          'migration 002 (notes) failed at 002_notes/up.sql:6:16 outside a transaction (transaction: false), after the 2 statements before it took effect, which stay applied: no such table: nope\n  INSERT INTO nope VALUES (1)',
        );
        expect(await driver.query('SELECT body FROM notes')).toEqual([{ body: 'a note\nthat spans; lines' }]);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001']);
      });

      it('quotes at most five lines of a long statement, and reports a syntax error the same way', async () => {
        const table = [
          'CREATE TABLE wide (',
          '  a INTEGER,',
          '  b INTEGER,',
          '  c INTEGER,',
          '  d INTEGER,',
          '  e INTEGER,',
          ')',
        ];
        const manager = await seeded({ '002_wide/up.sql': `SELECT 1;\n${table.join('\n')};\n` });
        const error = await failureOf(manager.migrate());
        expect(error).toMatchObject({ code: 'MIGRATION_FAILED', line: 8, column: 1 });
        expect(error.message).toMatch(
          /^migration 002 \(wide\) failed at 002_wide\/up\.sql:8:1, and the database was left as before it: .*syntax error/,
        );
        expect(error.message.split('\n').slice(1)).toEqual([...table.slice(0, 5).map((line) => `  ${line}`), '  …']);
      });

      it('is named in down.sql too', async () => {
        const manager = manage({
          '002_notes/up.sql': 'CREATE TABLE notes (id);\n',
          '002_notes/down.sql': '\n\nDROP TABLE notes;\n  DROP TABLE nope;\n',
        });
        await manager.migrate();
        const error = await failureOf(manager.rollback('002'));
        expect(error).toMatchObject({
          code: 'ROLLBACK_FAILED',
          file: '002_notes/down.sql',
          line: 4,
          column: 14,
          message:
            'rolling back migration 002 (notes) failed at 002_notes/down.sql:4:14, and the database was left as before it: no such table: nope\n  DROP TABLE nope',
        });
        expect(await count('notes')).toBe(0);
      });
    });

    it('announces each statement before it runs, between the start and the finish of its migration', async () => {
      const manager = manage({
        '002_three/up.sql': '-- three statements\nCREATE TABLE a (id);\nCREATE TABLE b (id); CREATE TABLE c (id)',
      });
      await manager.migrate({ to: '001' });
      events.length = 0;
      await manager.migrate();
      expect(events.map((e) => (e.type === 'statement' ? `${e.migration.version} ${e.index + 1}/${e.total}` : e.type))).toEqual([
        'start',
        '002 1/3',
        '002 2/3',
        '002 3/3',
        'finish',
      ]);
    });

    it('runs a file with a byte-order mark and CRLF line endings', async () => {
      const manager = manage({ '002_windows/up.sql': '\ufeffCREATE TABLE a (id);\r\nCREATE TABLE b (id);\r\n' });
      await manager.migrate();
      expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '002']);
    });

    describe('rebuilding a table that others reference', () => {
      it.runIf(batches)('refuses foreign_keys: off where the engine enforces foreign keys, before anything runs', async () => {
        const manager = await seeded({
          '002_rebuild_users/up.sql': REBUILD_USERS,
          '002_rebuild_users/meta.yaml': 'foreign_keys: off\n',
        });
        const before = await schemaOf(driver);
        for (const dryRun of [true, false]) {
          const error = await failureOf(manager.migrate({ dryRun }));
          expect(error).toMatchObject({ code: 'NOT_SUPPORTED', version: '002', file: '002_rebuild_users/meta.yaml' });
          expect(error.message).toMatch(
            /^migration 002 \(rebuild_users\) is foreign_keys: off \(002_rebuild_users\/meta\.yaml\), whose enforcement cannot be turned off inside the transaction a batch is, while this engine enforces them; /,
          );
        }
        expect(await schemaOf(driver)).toEqual(before);
        expect(await count('posts')).toBe(3);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001']);
      });

      it.skipIf(batches)(
        'keeps every child row with foreign_keys: off, checks the foreign keys, and turns enforcement back on',
        async () => {
          const manager = await seeded({
            '002_rebuild_users/up.sql': REBUILD_USERS,
            '002_rebuild_users/down.sql': UNDO_REBUILD,
            '002_rebuild_users/meta.yaml': 'foreign_keys: off\n',
          });
          expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['002', 'applied']]);
          expect(await driver.query('SELECT id, name FROM users ORDER BY id')).toEqual([
            { id: 1, name: 'ada' },
            { id: 2, name: 'bob' },
          ]);
          expect(await count('posts')).toBe(3);
          expect(await driver.query('PRAGMA foreign_key_check')).toEqual([]);
          expect(await foreignKeys()).toBe(1);
          // The posts still reference the new users table, with their cascade.
          await driver.exec('DELETE FROM users WHERE id = 2');
          expect(await driver.query('SELECT id FROM posts ORDER BY id')).toEqual([{ id: 10 }, { id: 11 }]);

          expect((await manager.rollback('002')).steps.map((s) => s.status)).toEqual(['rolled-back']);
          expect(await count('posts')).toBe(2);
          expect(await foreignKeys()).toBe(1);
        },
      );

      it.skipIf(batches)(
        'refuses a transactional migration that sets PRAGMA foreign_keys, naming the lines, before anything runs',
        async () => {
          const unsafe = `PRAGMA foreign_keys = OFF;\n${REBUILD_USERS}PRAGMA foreign_keys = ON;\n`;
          const manager = await seeded({ '002_rebuild_users/up.sql': unsafe });
          const problems = (await manager.validate()).problems;
          expect(problems.map((p) => [p.code, p.file, p.line, p.column])).toEqual([
            ['UNSAFE_STATEMENT', '002_rebuild_users/up.sql', 1, 1],
            ['UNSAFE_STATEMENT', '002_rebuild_users/up.sql', 7, 1],
          ]);
          expect(problems[0]?.message).toMatch(
            /^002_rebuild_users\/up\.sql:1:1: PRAGMA foreign_keys has no effect inside a transaction/,
          );
          await expect(manager.migrate()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
          expect(await count('posts')).toBe(3);

          // Why: inside a transaction the PRAGMA does nothing, so dropping users cascades into posts.
          await driver.exec(`BEGIN IMMEDIATE;\n${unsafe}COMMIT;`);
          expect(await count('posts')).toBe(0);
        },
      );

      it('checks the statements of the migrations a run runs, not those of applied ones', async () => {
        // 002 was recorded as applied by an older tool, which ran it as it was; its statements never run again.
        const unsafe = 'PRAGMA foreign_keys = OFF;\nCREATE TABLE legacy (id INTEGER PRIMARY KEY);\n';
        const tags = 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n';
        await seeded({});
        await driver.exec('CREATE TABLE legacy (id INTEGER PRIMARY KEY)');
        await driver.exec(
          `INSERT INTO schema_migrations (version, name, checksum) VALUES ('002', 'legacy', '${checksumOf(unsafe)}')`,
        );
        const files = {
          '002_legacy/up.sql': unsafe,
          '002_legacy/down.sql': 'DROP TABLE legacy;\n',
          '003_tags/up.sql': tags,
          '003_tags/down.sql': 'DROP TABLE tags;\n',
        };
        const manager = manage(files);
        expect((await manager.validate()).problems.map((p) => [p.code, p.file, p.line])).toEqual([
          ['UNSAFE_STATEMENT', '002_legacy/up.sql', 1],
        ]);
        expect((await manager.migrate()).steps.map((s) => [s.version, s.status])).toEqual([['003', 'applied']]);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '002', '003']);

        // A pending one is refused before anything runs, with every problem of the set.
        const pending = manage({ ...files, '004_compact/up.sql': 'VACUUM;\n' });
        const error = await failureOf(pending.migrate());
        expect(error).toMatchObject({ code: 'UNSAFE_STATEMENT', file: '004_compact/up.sql' });
        expect((error as ValidationError).problems.map((p) => [p.code, p.file])).toEqual([
          ['UNSAFE_STATEMENT', '004_compact/up.sql'],
        ]);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '002', '003']);

        // Refused for another reason too, the run reports what would stop it next: 004's statement, not 002's.
        const broken = manage({
          ...files,
          '004_compact/up.sql': 'VACUUM;\n',
          '004_compact/meta.yaml': 'dependencies: ["009"]\n',
        });
        const both = (await failureOf(broken.migrate())) as ValidationError;
        expect(both.problems.map((p) => [p.code, p.file])).toEqual([
          ['MISSING_DEPENDENCY', '004_compact/meta.yaml'],
          ['UNSAFE_STATEMENT', '004_compact/up.sql'],
        ]);

        // Rolling 002 back runs its down.sql, which is safe; its up.sql does not run again.
        const rolled = await manager.rollback('002');
        expect(rolled.steps.map((s) => [s.version, s.status])).toEqual([['002', 'rolled-back']]);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001', '003']);
      });

      it.skipIf(batches)('rolls back a rebuild that leaves orphans, naming the rows, and restores enforcement', async () => {
        const losesBob = REBUILD_USERS.replace('FROM users;', 'FROM users WHERE id <> 2;');
        const manager = await seeded({
          '002_rebuild_users/up.sql': losesBob,
          '002_rebuild_users/meta.yaml': 'foreign_keys: off\n',
        });
        const before = await schemaOf(driver);
        const error = await failureOf(manager.migrate());
        expect(error).toMatchObject({ code: 'MIGRATION_FAILED', version: '002', file: '002_rebuild_users/up.sql' });
        expect(error.message).toBe(
          'migration 002 (rebuild_users) failed, and the database was left as before it: foreign key check failed: 1 row references a parent row that does not exist: posts rowid 12 (parent users)',
        );
        expect(await schemaOf(driver)).toEqual(before);
        expect(await count('users')).toBe(2);
        expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001']);
        expect(await foreignKeys()).toBe(1);
        expect(driver.inTransaction()).toBe(false);
      });

      // The connection's foreign keys cannot be turned off by the client: a PRAGMA reaches one pooled connection or
      // stream and the batch runs on another (libSQL), or enforcement is the server's setting (rqlite's -fk).
      it.skipIf(pooled || options.foreignKeysFixed === true)(
        'skips the check on a connection that does not enforce foreign keys, as SQLite documents the rebuild',
        async () => {
          const losesBob = REBUILD_USERS.replace('FROM users;', 'FROM users WHERE id <> 2;');
          const manager = await seeded({
            '002_rebuild_users/up.sql': losesBob,
            '002_rebuild_users/meta.yaml': 'foreign_keys: off\n',
          });
          await driver.exec('PRAGMA foreign_keys = OFF');
          expect((await manager.migrate()).steps.map((s) => s.status)).toEqual(['applied']);
          expect(await count('posts')).toBe(3);
        },
      );
    });
  });
}
