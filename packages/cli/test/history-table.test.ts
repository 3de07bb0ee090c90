import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

describe.each(DRIVERS)('the history table named by --table (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate', '--to', '001').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it('naming a table that is not a history table is refused, naming the table and its columns, writing nothing', () => {
    const { run, db } = setup();
    const before = readFileSync(db);
    for (const command of [['migrate'], ['status'], ['baseline', '003', '--yes'], ['repair', '--yes'], ['validate']]) {
      const result = run(...command, '--table', 'users');
      expect(result.code).toBe(1);
      expect(result.stderr.split('\n')[0]).toBe(
        `error INVALID_OPTION: table users of database ${db} is not a history table: its columns are id, email, and a history table has version, name, applied_at, checksum; name the history table with --table (default schema_migrations), or a table that does not exist yet for a new history`,
      );
    }
    expect(JSON.parse(run('migrate', '--table', 'users', '--json').stdout).error).toMatchObject({
      code: 'INVALID_OPTION',
      file: db,
    });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(inspectDb(db).objects).toEqual(['schema_migrations', 'users']);
  });

  it('status with a --table that does not exist names the history table the database has', () => {
    const { run } = setup();
    const text = run('status', '--table', 'migrations_log');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      'Applied migrations:\n  (none: history table migrations_log does not exist; this database records its migrations in schema_migrations: pass --table schema_migrations)\n',
    );
    const json = JSON.parse(run('status', '--table', 'migrations_log', '--json').stdout);
    expect(json.database).toMatchObject({ table: 'migrations_log', otherHistoryTables: ['schema_migrations'] });
    expect(JSON.parse(run('status', '--json').stdout).database).not.toHaveProperty('otherHistoryTables');
  });

  it('a history table of an older shape, without duration_ms, is still a history table', () => {
    const { run, db } = setup();
    execSql(db, 'ALTER TABLE schema_migrations DROP COLUMN duration_ms;');
    expect(run('migrate').code).toBe(0);
    expect(inspectDb(db).history).toHaveLength(3);
  });
});
