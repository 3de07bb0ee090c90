import {
  checkSet,
  checkStatements,
  type Driver,
  emptyDownWarnings,
  type Migration,
  MigrationManager,
  parseMigrationFiles,
  planRollback,
} from '@strata/core';
import { describe, expect, it } from 'vitest';

/** The one migration of a folder `001_a` with these files, which must parse. */
function migrationOf(files: Record<string, string>): Migration {
  const set = parseMigrationFiles(Object.fromEntries(Object.entries(files).map(([file, text]) => [`001_a/${file}`, text])));
  expect(set.problems).toEqual([]);
  const [migration] = set.migrations;
  if (migration === undefined) throw new Error('expected one migration');
  return migration;
}

const unsafe = (up: string, more: Record<string, string> = {}) =>
  checkStatements(migrationOf({ 'up.sql': up, ...more })).map((p) => [p.line, p.column, p.message.split(': ')[1]?.split(' ')[0]]);

describe('checkStatements', () => {
  it('reports PRAGMA foreign_keys in a transactional migration with its file, line, column and the meta.yaml fix', () => {
    const [problem, ...rest] = checkStatements(
      migrationOf({
        'up.sql': '-- rebuild users\nCREATE TABLE users_new (id INTEGER PRIMARY KEY);\n  PRAGMA foreign_keys = OFF;\n',
      }),
    );
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'UNSAFE_STATEMENT', version: '001', file: '001_a/up.sql', line: 3, column: 3 });
    expect(problem?.message).toMatch(/^001_a\/up\.sql:3:3: PRAGMA foreign_keys has no effect inside a transaction/);
    expect(problem?.message).toContain('set "foreign_keys: off" in meta.yaml');
    expect(problem?.toJSON()).toMatchObject({ line: 3, column: 3 });
  });

  it.each([
    ['PRAGMA foreign_keys=off', 'PRAGMA'],
    ['pragma main.foreign_keys = 0', 'PRAGMA'],
    ['PRAGMA "foreign_keys"(false)', 'PRAGMA'],
    ['PRAGMA journal_mode = WAL', 'PRAGMA'],
    ['PRAGMA synchronous = NORMAL', 'PRAGMA'],
    ['VACUUM', 'VACUUM'],
    ["ATTACH DATABASE 'other.db' AS other", 'ATTACH'],
    ['DETACH other', 'DETACH'],
    ['BEGIN TRANSACTION', 'BEGIN'],
    ['COMMIT', 'COMMIT'],
    ['END TRANSACTION', 'END'],
    ['ROLLBACK', 'ROLLBACK'],
  ])('reports %j', (statement, word) => {
    expect(unsafe(`CREATE TABLE a (id);\n${statement};\n`)).toEqual([[2, 1, word]]);
  });

  it('says what to do instead', () => {
    const messages = (up: string) => checkStatements(migrationOf({ 'up.sql': up })).map((p) => p.message);
    expect(messages('VACUUM')).toEqual([
      '001_a/up.sql:1:1: VACUUM cannot run inside a transaction, and this migration runs in one; mark the migration "transaction: false" in meta.yaml',
    ]);
    expect(messages('PRAGMA journal_mode = WAL')[0]).toContain('set it when opening the database, or mark the migration');
    expect(messages('COMMIT')[0]).toContain('use RELEASE to end a SAVEPOINT');
  });

  it.each([
    ['reading a pragma', 'PRAGMA foreign_keys; PRAGMA journal_mode'],
    ['other pragmas', 'PRAGMA defer_foreign_keys = ON; PRAGMA legacy_alter_table = ON'],
    ['savepoints', 'SAVEPOINT s; ROLLBACK TO s; ROLLBACK TRANSACTION TO SAVEPOINT s; RELEASE s'],
    [
      'words in comments and strings',
      '-- PRAGMA foreign_keys = OFF;\nSELECT \'VACUUM; COMMIT\' AS "BEGIN"; /* ATTACH */ SELECT 1',
    ],
    ['BEGIN and END of a trigger', 'CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT CASE WHEN 1 THEN 2 END; END'],
    ['a table called commit', 'CREATE TABLE "commit" (x); INSERT INTO [vacuum] VALUES (1)'],
  ])('allows %s', (_, up) => {
    expect(unsafe(up)).toEqual([]);
  });

  it('checks down.sql too, and nothing in a transaction: false migration', () => {
    const down = checkStatements(migrationOf({ 'up.sql': 'SELECT 1;', 'down.sql': 'SELECT 1;\nVACUUM;' }));
    expect(down.map((p) => [p.file, p.line])).toEqual([['001_a/down.sql', 2]]);
    // Or only the script a run in one direction runs.
    const both = migrationOf({ 'up.sql': 'BEGIN;', 'down.sql': 'COMMIT;' });
    expect(checkStatements(both, 'up').map((p) => p.file)).toEqual(['001_a/up.sql']);
    expect(checkStatements(both, 'down').map((p) => p.file)).toEqual(['001_a/down.sql']);
    expect(checkStatements(both).map((p) => p.file)).toEqual(['001_a/up.sql', '001_a/down.sql']);
    const outside = migrationOf({ 'up.sql': 'PRAGMA foreign_keys = OFF; VACUUM; COMMIT;', 'meta.yaml': 'transaction: false\n' });
    expect(checkStatements(outside)).toEqual([]);
  });

  it('joins the problems of checkSet, so validate reports them and migrate refuses', () => {
    const checked = checkSet(
      parseMigrationFiles({
        '001_a/up.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n',
        '002_b/up.sql': 'PRAGMA foreign_keys = OFF;\nCREATE TABLE b (id);\nPRAGMA foreign_keys = ON;\n',
      }),
    );
    expect(checked.problems.map((p) => [p.code, p.file, p.line])).toEqual([
      ['UNSAFE_STATEMENT', '002_b/up.sql', 1],
      ['UNSAFE_STATEMENT', '002_b/up.sql', 3],
    ]);
    expect(checked.order.map((m) => m.version)).toEqual(['001', '002']);
  });
});

describe('foreign_keys in meta.yaml', () => {
  const meta = (text: string) => parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': text });

  it.each(['foreign_keys: off\n', 'foreign_keys: false\n'])('reads %j as foreign keys off', (text) => {
    expect(meta(text).migrations[0]?.meta).toEqual({ dependencies: [], transaction: true, foreignKeys: false });
  });

  it.each(['foreign_keys: on\n', 'foreign_keys: true\n', ''])('leaves %j as the default', (text) => {
    expect(meta(text).migrations[0]?.meta).toEqual({ dependencies: [], transaction: true });
  });

  it.each(['foreign_keys: OFF\n', 'foreign_keys: no\n', 'foreign_keys: 0\n'])('refuses %j', (text) => {
    expect(meta(text).problems.map((p) => [p.code, p.message])).toEqual([
      [
        'INVALID_META',
        '001_a/meta.yaml: "foreign_keys" must be off (to rebuild a table that others reference) or on, the default',
      ],
    ]);
  });

  it('refuses foreign_keys: off together with transaction: false', () => {
    const [problem, ...rest] = meta('foreign_keys: off\ntransaction: false\n').problems;
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'INVALID_META', file: '001_a/meta.yaml' });
    expect(problem?.message).toContain('cannot be combined with "transaction: false"');
  });

  it('is accepted from code, as registerMigration passes it', () => {
    // Only the set is looked at here, so the driver is never called.
    const manager = new MigrationManager({ driver: {} as Driver });
    manager.registerMigration({ version: '001', name: 'a', up: 'SELECT 1', meta: { foreign_keys: 'off' } });
    expect(manager.migrations()[0]?.meta.foreignKeys).toBe(false);
  });
});

describe('a migration without statements', () => {
  it('is refused when up.sql holds only comments; a down.sql of comments makes the migration irreversible', () => {
    const { problems, migrations } = parseMigrationFiles({
      '001_a/up.sql': '-- 001_a: up\n/* write the SQL here; */\n;\n',
      '001_a/down.sql': '-- 001_a: down\n',
      '002_b/up.sql': 'SELECT 1;\n',
      '002_b/down.sql': '-- 002_b: down\n',
    });
    expect(migrations.map((m) => m.folder)).toEqual(['002_b']);
    expect(problems.map((p) => [p.code, p.file, p.message])).toEqual([
      [
        'INVALID_MIGRATION',
        '001_a/up.sql',
        '001_a/up.sql has no SQL statements, only comments: write the SQL this migration runs',
      ],
    ]);
    expect(emptyDownWarnings(migrations).map((w) => [w.code, w.file])).toEqual([['IRREVERSIBLE', '002_b/down.sql']]);
    expect(() => planRollback(migrations, ['002'], '002')).toThrow(
      expect.objectContaining({
        code: 'IRREVERSIBLE',
        file: '002_b/down.sql',
        message:
          'migration 002_b cannot be rolled back: 002_b/down.sql has no SQL statements (it is empty or only comments), which makes the migration irreversible; write the SQL that undoes up.sql in it to make it reversible',
      }),
    );
  });
});
