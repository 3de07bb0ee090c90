import { appendFileSync, closeSync, openSync, readFileSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { countRows, execSql as exec, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

const userCount = (file: string) => countRows(file, 'users');

describe.each(DRIVERS)('restore (--driver %s)', (driver) => {
  /** A migrated database with two users, and a backup of it at backup.db. */
  const setup = (...migrateArgs: string[]) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate', ...migrateArgs).code).toBe(0);
    exec(box.path('app.db'), "INSERT INTO users (email) VALUES ('a@x'), ('b@x')");
    expect(run('backup', '--out', 'backup.db').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it('puts the rows of the backup back, and says what it checked', () => {
    const { run, db } = setup();
    exec(db, "DELETE FROM users; INSERT INTO users (email) VALUES ('new@x')");
    const result = run('restore', 'backup.db');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.split('\n')).toEqual([
      'Checked backup.db:',
      '  SQLite file  ok',
      '  quick_check  ok',
      '  history      3 migrations applied, last 003; checksums match the migrations folder',
      '  pending      none',
      'Restored app.db from backup.db.',
      expect.stringMatching(/^The replaced database was kept in backups\/app\.\d{8}T\d{9}Z\.v003\.sqlite\.$/),
      '',
    ]);
    expect(userCount(db)).toBe(2);
    const kept = result.stdout.match(/kept in (\S+)\.\n/)?.[1] ?? '';
    expect(userCount(join(dirname(db), kept))).toBe(1);
    expect(run('status').code).toBe(0);
  });

  it('leaves the migrations the backup had not applied pending, and prints the check with --json', () => {
    const { box, run, db } = setup('--to', '001');
    expect(run('migrate').code).toBe(0);
    const result = run('restore', 'backup.db', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      databaseFile: db,
      check: expect.objectContaining({ file: box.path('backup.db'), version: '001', pending: ['002', '003'], ok: true }),
    });
    expect(inspectDb(db).history.map((r) => r.version)).toEqual(['001']);
    expect(run('status').stdout).toContain('Pending migrations:\n  ○ 002 - create_posts\n  ○ 003 - index_emails\n');
  });

  it.each([
    ['not-sqlite.txt', 'These are notes. '.repeat(20), /is not a SQLite database: it does not start with "SQLite format 3"/],
    ['missing.db', undefined, /missing\.db does not exist/],
  ])('refuses %s: exit 1, DATABASE_ERROR naming the file, nothing changed', (name, text, message) => {
    const { box, run, db } = setup();
    if (text !== undefined) writeFileSync(box.path(name), text);
    const before = readFileSync(db);
    const result = run('restore', name, '--force');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error DATABASE_ERROR: ${box.path(name)} `));
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain(`  file: ${box.path(name)}\n`);
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses a damaged backup even with --force', () => {
    const { box, run, db } = setup();
    const fd = openSync(box.path('backup.db'), 'r+');
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, 4096);
    closeSync(fd);
    const result = run('restore', 'backup.db', '--force');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error DATABASE_ERROR: backup .*backup\.db is damaged \(/);
    expect(userCount(db)).toBe(2);
  });

  it('refuses a backup whose checksums differ, naming the versions, unless --force', () => {
    const { box, run, db } = setup();
    appendFileSync(box.path('migrations', '002_create_posts', 'up.sql'), '-- edited\n');
    exec(db, 'DELETE FROM users');
    const before = readFileSync(db);

    const refused = run('restore', 'backup.db');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toMatch(
      /^error CHECKSUM_MISMATCH: backup .*backup\.db does not match the migrations: 002 was applied/,
    );
    expect(refused.stderr).toContain('  version: 002\n');
    expect(readFileSync(db).equals(before)).toBe(true);

    const json = JSON.parse(run('restore', 'backup.db', '--json').stdout);
    expect(json.error).toMatchObject({ code: 'CHECKSUM_MISMATCH', version: '002', file: box.path('backup.db') });
    expect(json.error.problems).toEqual([expect.objectContaining({ code: 'CHECKSUM_MISMATCH', version: '002' })]);

    const forced = run('restore', 'backup.db', '--force');
    expect(forced.code).toBe(0);
    expect(forced.stdout).toContain(
      '  history      3 migrations applied, last 003; differs from the migrations folder: 002 (up.sql changed)\n',
    );
    expect(forced.stdout).toContain('Restored app.db from backup.db despite the differences (--force).\n');
    expect(userCount(db)).toBe(2);
  });

  it('lists every difference when versions differ in more than one way', () => {
    const { box, run } = setup();
    appendFileSync(box.path('migrations', '002_create_posts', 'up.sql'), '-- edited\n');
    rmSync(box.path('migrations', '003_index_emails'), { recursive: true });
    const result = run('restore', 'backup.db');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error VALIDATION_FAILED: backup .* 002 was applied from a different up\.sql.*, 003 is recorded but/,
    );
    expect(result.stderr).toMatch(/^ {2}CHECKSUM_MISMATCH: /m);
    expect(result.stderr).toMatch(/^ {2}APPLIED_MISSING: /m);
  });
});
