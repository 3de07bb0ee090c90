import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { sandbox, THREE, writeMigrations } from './support/cli.js';

describe('option values checked after parsing are usage errors', () => {
  it.each([
    [['--table', 'x y', 'status'], '--table: history table name "x y" is not a plain identifier'],
    [
      ['--table', 'history; DROP TABLE users', 'migrate'],
      '--table: history table name "history; DROP TABLE users" is not a plain',
    ],
    [['--table', 'sqlite_history', 'migrate'], '--table: history table name "sqlite_history" is not a plain identifier'],
    [
      ['migrate', '--to', 'abc'],
      '--to must be a migration version, the digits its folder name starts with (such as 003), not "abc"',
    ],
    [
      ['migrate', '--to', '1.2'],
      '--to must be a migration version, the digits its folder name starts with (such as 003), not "1.2"',
    ],
    [['migrate', '--to=-3', '--dry-run'], '--to must be a migration version'],
    [['repair', 'abc'], 'the version argument must be a migration version, the digits its folder name starts with'],
    [['baseline', '1.2'], 'the version argument must be a migration version'],
    [['forget', 'v003'], 'the version argument must be a migration version'],
    [['rollback', 'latest'], 'the version argument must be a migration version'],
    [['--driver', 'postgres', 'status'], '--driver must be one of better-sqlite3, sqljs, libsql, rqlite, not "postgres"'],
    [['--synchronous', 'sometimes', 'migrate'], '--synchronous must be one of off, normal, full, extra, not "sometimes"'],
    [['backup', '--out', ''], '--out is empty; name a database file'],
    [['backup', '--out', '.'], '--out names '],
    [['bundle', '--out', 'migrations.cjs'], '--out: cannot write a bundle to'],
  ])('%j: exit 2, one line and a pointer to help; with --json a USAGE_ERROR document', (args, message) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const text = box.run(['--db', 'app.db', ...args]);
    expect(text.code).toBe(2);
    expect(text.stdout).toBe('');
    expect(text.stderr.split('\n')[0]).toContain(`error: ${message}`);
    expect(text.stderr).toMatch(/Run "strata (\w+ )?--help" for usage\.\n$/);

    const json = box.run(['--db', 'app.db', ...args, '--json']);
    expect(json.code).toBe(2);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout).error).toEqual({ code: 'USAGE_ERROR', message: expect.stringContaining(message) });
    expect(existsSync(box.path('app.db'))).toBe(false);
  });

  it('a --to of the right form that no migration has stays UNKNOWN_VERSION, exit 1', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['--db', 'app.db', 'migrate', '--to', '009', '--json']);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).error).toMatchObject({ code: 'UNKNOWN_VERSION' });
  });
});
