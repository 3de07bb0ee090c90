import { join } from 'node:path';
import { type Driver, MigrationManager, RunError, type StrataError } from '@strata/core';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { historyOf, makeTempDir, tablesOf } from './fixtures.js';

/** Users with posts that go with their user (ON DELETE CASCADE), and two of each. */
const USERS = {
  '001_users/up.sql': [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
    'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE);',
    "INSERT INTO users VALUES (1, 'Ada@Example.com'), (2, 'bob@example.com');",
    'INSERT INTO posts VALUES (10, 1), (11, 2);',
    '',
  ].join('\n'),
};

/**
 * A table rebuild written for a tool that runs scripts as they are (golang-migrate): foreign keys off, a log line
 * written on its own, then the rebuild in a transaction of its own. `step` is the statement on line 8.
 */
const rebuild = (step: string) =>
  [
    '-- lower-case every email; the rebuild keeps the posts, since foreign keys are off around it',
    'PRAGMA foreign_keys = OFF;',
    'CREATE TABLE IF NOT EXISTS rebuild_log (note TEXT);',
    "INSERT INTO rebuild_log VALUES ('rebuilding users');",
    'BEGIN;',
    'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
    'INSERT INTO users_new SELECT id, email FROM users;',
    `  ${step}`,
    'DROP TABLE users;',
    'ALTER TABLE users_new RENAME TO users;',
    'COMMIT;',
    'PRAGMA foreign_keys = ON;',
    '',
  ].join('\n');

const FAILING = {
  ...USERS,
  '002_rebuild_users/up.sql': rebuild('UPDATE users_new SET email = normalize(email);'),
  '002_rebuild_users/meta.yaml': 'transaction: false\n',
};
const FIXED = { ...FAILING, '002_rebuild_users/up.sql': rebuild('UPDATE users_new SET email = lower(email);') };

/**
 * What a failed `transaction: false` migration leaves, for a migration that opens (and fails to end) a transaction of
 * its own or changes connection settings: the open transaction rolled back, the settings put back, the message saying
 * which statements stayed, earlier migrations of the run applied and saved, and a connection the application can go
 * on using. A driver's test file calls this with a way to open it on a file.
 */
export function describeNonTransactionalContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`transaction: false contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let dbPath: string;
    const opened: Driver[] = [];
    const openDriver = async () => {
      const driver = await open(dbPath);
      opened.push(driver);
      return driver;
    };
    const failureOf = (work: Promise<unknown>) =>
      work.then(
        () => expect.fail('expected a failure'),
        (e: unknown) => e as StrataError,
      );
    const pragma = async (driver: Driver, name: string) => Object.values((await driver.query(`PRAGMA ${name}`))[0] ?? {})[0];
    const rows = (driver: Driver, sql: string) => driver.query(sql);

    beforeEach(() => {
      temp = makeTempDir();
      dbPath = join(temp.path, 'app.db');
    });
    afterEach(async () => {
      for (const driver of opened.splice(0)) await driver.close();
      temp.remove();
    });

    it('rolls back the transaction a failed migration opened, restores foreign keys, and says what stayed', async () => {
      const driver = await openDriver();
      const error = await failureOf(new MigrationManager({ driver, migrations: FAILING }).migrate());

      expect(error).toBeInstanceOf(RunError);
      expect(error).toMatchObject({
        code: 'MIGRATION_FAILED',
        version: '002',
        file: '002_rebuild_users/up.sql',
        line: 8,
        column: 32,
        message:
          'migration 002 (rebuild_users) failed at 002_rebuild_users/up.sql:8:32 (transaction: false): the transaction it opened at line 5 was rolled back, and the 3 statements before that took effect and stay applied, with foreign_keys set back as it was: no such function: normalize\n  UPDATE users_new SET email = normalize(email)',
      });
      expect((error as RunError).report.steps.map((s) => [s.version, s.status])).toEqual([
        ['001', 'applied'],
        ['002', 'failed'],
      ]);
      expect(driver.inTransaction()).toBe(false);
      expect(await pragma(driver, 'foreign_keys')).toBe(1);

      // What the connection holds, and what a new one reads from the file: 001 applied, the log line written before
      // BEGIN, nothing of the rebuild.
      const expectState = async (on: Driver) => {
        expect(await tablesOf(on)).toEqual(['posts', 'rebuild_log', 'schema_migrations', 'users']);
        expect((await historyOf(on)).map((h) => h.version)).toEqual(['001']);
        expect(await rows(on, 'SELECT email FROM users ORDER BY id')).toEqual([
          { email: 'Ada@Example.com' },
          { email: 'bob@example.com' },
        ]);
        expect(await rows(on, 'SELECT note FROM rebuild_log')).toEqual([{ note: 'rebuilding users' }]);
      };
      await expectState(driver);
      await driver.close();
      const reopened = await openDriver();
      await expectState(reopened);
      expect(await pragma(reopened, 'foreign_keys')).toBe(1);

      const report = await new MigrationManager({ driver: reopened, migrations: FIXED }).migrate();
      expect(report.steps.map((s) => [s.version, s.status])).toEqual([['002', 'applied']]);
      expect(await rows(reopened, 'SELECT id, email FROM users ORDER BY id')).toEqual([
        { id: 1, email: 'ada@example.com' },
        { id: 2, email: 'bob@example.com' },
      ]);
      expect(await rows(reopened, 'SELECT id, user_id FROM posts ORDER BY id')).toEqual([
        { id: 10, user_id: 1 },
        { id: 11, user_id: 2 },
      ]);
      expect(await rows(reopened, 'SELECT count(*) AS n FROM rebuild_log')).toEqual([{ n: 2 }]);
      expect((await historyOf(reopened)).map((h) => h.version)).toEqual(['001', '002']);
      expect(await pragma(reopened, 'foreign_keys')).toBe(1);
    });

    it('leaves the connection usable: what the application writes after the failure is committed and kept', async () => {
      const driver = await openDriver();
      await failureOf(new MigrationManager({ driver, migrations: FAILING }).migrate());
      await driver.run('INSERT INTO users (id, email) VALUES (?, ?)', [3, 'cy@example.com']);
      // Enforced again: a post of a user that does not exist is refused.
      await expect(driver.run('INSERT INTO posts (id, user_id) VALUES (?, ?)', [12, 99])).rejects.toThrow(/FOREIGN KEY/);
      await driver.run('DELETE FROM users WHERE id = ?', [2]);
      await driver.persist?.();
      await driver.close();

      const reopened = await openDriver();
      expect(await rows(reopened, 'SELECT id FROM users ORDER BY id')).toEqual([{ id: 1 }, { id: 3 }]);
      // The delete cascaded: foreign keys were on for it.
      expect(await rows(reopened, 'SELECT id FROM posts ORDER BY id')).toEqual([{ id: 10 }]);
    });

    it('says that nothing stayed when the migration failed inside a transaction it opened first', async () => {
      const driver = await openDriver();
      const files = {
        ...USERS,
        '002_copy/up.sql': "BEGIN;\nINSERT INTO users VALUES (3, 'cy@example.com');\nINSERT INTO nope VALUES (1);\nCOMMIT;\n",
        '002_copy/meta.yaml': 'transaction: false\n',
      };
      const error = await failureOf(new MigrationManager({ driver, migrations: files }).migrate());
      expect(error).toMatchObject({
        code: 'MIGRATION_FAILED',
        line: 3,
        column: 13,
        message:
          'migration 002 (copy) failed at 002_copy/up.sql:3:13 (transaction: false): the transaction it opened at line 1 was rolled back, and none of its statements stay applied: no such table: nope\n  INSERT INTO nope VALUES (1)',
      });
      expect(await rows(driver, 'SELECT id FROM users ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }]);
      expect(driver.inTransaction()).toBe(false);
    });

    it('says so when SQLite itself rolled back the transaction the migration opened, and keeps what stayed', async () => {
      const driver = await openDriver();
      await new MigrationManager({ driver, migrations: USERS }).migrate();
      const files = {
        ...USERS,
        '002_dedupe/up.sql':
          "CREATE TABLE emails (email TEXT PRIMARY KEY);\nBEGIN;\nINSERT INTO emails SELECT lower(email) FROM users;\nINSERT OR ROLLBACK INTO emails VALUES ('ada@example.com');\nCOMMIT;\n",
        '002_dedupe/meta.yaml': 'transaction: false\n',
      };
      const error = await failureOf(new MigrationManager({ driver, migrations: files }).migrate());
      expect(error.message).toBe(
        "migration 002 (dedupe) failed at 002_dedupe/up.sql:4:1 (transaction: false): the transaction it opened at line 2 was rolled back, and the statement before that took effect and stays applied: UNIQUE constraint failed: emails.email\n  INSERT OR ROLLBACK INTO emails VALUES ('ada@example.com')",
      );
      expect(await rows(driver, 'SELECT email FROM emails')).toEqual([]);
      // The table made before BEGIN reached the file, although nothing else in this run changed the database.
      await driver.close();
      const reopened = await openDriver();
      expect(await tablesOf(reopened)).toEqual(['emails', 'posts', 'schema_migrations', 'users']);
      expect((await historyOf(reopened)).map((h) => h.version)).toEqual(['001']);
    });

    it('rolls back and reports a transaction the migration left open at its end', async () => {
      const driver = await openDriver();
      const files = {
        ...USERS,
        '002_unfinished/up.sql': "CREATE TABLE notes (body TEXT);\nBEGIN;\nINSERT INTO notes VALUES ('never committed');\n",
        '002_unfinished/meta.yaml': 'transaction: false\n',
      };
      const error = await failureOf(new MigrationManager({ driver, migrations: files }).migrate());
      expect(error).toMatchObject({
        code: 'MIGRATION_FAILED',
        version: '002',
        line: 2,
        column: 1,
        message:
          'migration 002 (unfinished) failed at 002_unfinished/up.sql:2:1 (transaction: false): the transaction it opened at line 2 was rolled back, and the statement before that took effect and stays applied: the transaction was still open at the end of up.sql; end it with COMMIT\n  BEGIN',
      });
      expect(driver.inTransaction()).toBe(false);
      expect(await rows(driver, 'SELECT body FROM notes')).toEqual([]);
      expect((await historyOf(driver)).map((h) => h.version)).toEqual(['001']);
    });

    it('puts back every connection setting a failed migration changed, with or without a transaction', async () => {
      const driver = await openDriver();
      await new MigrationManager({ driver, migrations: USERS }).migrate();
      const settings = ['foreign_keys', 'recursive_triggers', 'legacy_alter_table', 'ignore_check_constraints', 'query_only'];
      const before = await Promise.all(settings.map((s) => pragma(driver, s)));
      const changing = [
        'PRAGMA foreign_keys = OFF;',
        'PRAGMA recursive_triggers = ON;',
        'PRAGMA legacy_alter_table = ON;',
        'PRAGMA ignore_check_constraints = ON;',
        'PRAGMA query_only = ON;',
        'INSERT INTO nope VALUES (1);',
        '',
      ].join('\n');
      const outside = await failureOf(
        new MigrationManager({
          driver,
          migrations: { ...USERS, '002_settings/up.sql': changing, '002_settings/meta.yaml': 'transaction: false\n' },
        }).migrate(),
      );
      expect(outside.message).toBe(
        'migration 002 (settings) failed at 002_settings/up.sql:6:13 outside a transaction (transaction: false), after the 5 statements before it took effect, which stay applied, with foreign_keys, recursive_triggers, legacy_alter_table, ignore_check_constraints and query_only set back as they were: no such table: nope\n  INSERT INTO nope VALUES (1)',
      );
      expect(await Promise.all(settings.map((s) => pragma(driver, s)))).toEqual(before);

      // A transactional migration may change the settings that take effect inside a transaction.
      const inside = await failureOf(
        new MigrationManager({
          driver,
          migrations: { ...USERS, '002_settings/up.sql': 'PRAGMA recursive_triggers = ON;\nINSERT INTO nope VALUES (1);\n' },
        }).migrate(),
      );
      expect(inside.message).toBe(
        'migration 002 (settings) failed at 002_settings/up.sql:2:13, and the database was left as before it, with recursive_triggers set back as it was: no such table: nope\n  INSERT INTO nope VALUES (1)',
      );
      expect(await Promise.all(settings.map((s) => pragma(driver, s)))).toEqual(before);
    });

    it('refuses to run while the connection has a transaction of its own open, and leaves that transaction alone', async () => {
      const driver = await openDriver();
      await new MigrationManager({ driver, migrations: USERS }).migrate();
      await driver.exec('BEGIN');
      await driver.run('INSERT INTO users (id, email) VALUES (?, ?)', [3, 'cy@example.com']);
      const files = {
        ...USERS,
        '002_notes/up.sql': 'CREATE TABLE notes (body TEXT);\n',
        '002_notes/meta.yaml': 'transaction: false\n',
      };
      const error = await failureOf(new MigrationManager({ driver, migrations: files }).migrate());
      expect(error).toMatchObject({
        code: 'DATABASE_ERROR',
        message:
          'this connection has a transaction open, and the migrations would run inside it; commit or roll it back, then migrate again',
      });
      expect(driver.inTransaction()).toBe(true);
      await driver.exec('COMMIT');
      await driver.persist?.();
      expect(await rows(driver, 'SELECT id FROM users ORDER BY id')).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
      expect(await tablesOf(driver)).toEqual(['posts', 'schema_migrations', 'users']);
    });
  });
}
