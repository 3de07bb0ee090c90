import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** A rebuild of users as golang-migrate runs it: foreign keys off, a transaction of its own; line 6 is `step`. */
const rebuild = (step: string) =>
  [
    'PRAGMA foreign_keys = OFF;',
    'CREATE TABLE IF NOT EXISTS rebuild_log (note TEXT);',
    'BEGIN;',
    'CREATE TABLE users_new (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
    'INSERT INTO users_new SELECT id, email FROM users;',
    step,
    'DROP TABLE users;',
    'ALTER TABLE users_new RENAME TO users;',
    'COMMIT;',
    'PRAGMA foreign_keys = ON;',
    '',
  ].join('\n');

describe.each(DRIVERS)('a failed transaction: false migration (--driver %s)', (driver) => {
  it('exits 1 naming the failing statement and what stayed, and the migrations before it are in the file', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), {
      ...THREE,
      '004_rebuild_users': { up: rebuild('UPDATE users_new SET email = normalize(email);'), meta: 'transaction: false\n' },
    });
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);

    const failed = run('migrate');
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(
      /^ {2}✓ 001 create_users .*\n {2}✓ 002 create_posts .*\n {2}✓ 003 index_emails .*\n {2}✗ 004 rebuild_users {2}failed\n$/,
    );
    expect(failed.stderr).toBe(
      [
        'error MIGRATION_FAILED: migration 004 (rebuild_users) failed at 004_rebuild_users/up.sql:6:30 (transaction: false): the transaction it opened at line 3 was rolled back, and the 2 statements before that took effect and stay applied, with foreign_keys set back as it was: no such function: normalize',
        '  UPDATE users_new SET email = normalize(email)',
        '  version: 004',
        '  file: 004_rebuild_users/up.sql',
        '  applied before the failure: 001, 002, 003',
        '',
      ].join('\n'),
    );
    const { objects, history } = inspectDb(box.path('app.db'));
    expect(history.map((r) => r.version)).toEqual(['001', '002', '003']);
    expect(objects).toEqual(['idx_users_email', 'posts', 'rebuild_log', 'schema_migrations', 'users']);

    writeMigrations(box.path('migrations'), {
      '004_rebuild_users': { up: rebuild('UPDATE users_new SET email = lower(email);'), meta: 'transaction: false\n' },
    });
    const fixed = run('migrate');
    expect(fixed).toMatchObject({ code: 0, stderr: '' });
    expect(fixed.stdout).toMatch(/^ {2}✓ 004 rebuild_users .*\nApplied 1 migration in/);
    expect(inspectDb(box.path('app.db')).history.map((r) => r.version)).toEqual(['001', '002', '003', '004']);
  });
});
