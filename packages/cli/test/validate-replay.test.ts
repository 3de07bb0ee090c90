import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, REPO_MIGRATIONS, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

/** A migration whose CREATE TABLE ends with a comma, which SQLite reports at the `)` after it. */
const TRAILING_COMMA = {
  '004_tags': {
    up: '-- tags of users\nCREATE TABLE tags (\n  user_id INTEGER NOT NULL REFERENCES users (id),\n  label TEXT NOT NULL,\n);\n',
    down: 'DROP TABLE tags;\n',
    meta: 'dependencies: ["001"]\n',
  },
};

const TRAILING_COMMA_ERROR = [
  'error REPLAY_FAILED: migration 004 (tags) failed on the in-memory replay at 004_tags/up.sql:5:1: near ")": syntax error',
  '  CREATE TABLE tags (',
  '    user_id INTEGER NOT NULL REFERENCES users (id),',
  '    label TEXT NOT NULL,',
  '  )',
  '  version: 004',
  '  file: 004_tags/up.sql',
].join('\n');

describe.each(DRIVERS)('validate replays the migrations in memory (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run };
  };

  it('exits 1 on a syntax error in a migration not applied yet, at its line and column, leaving the database as it was', () => {
    const { box, run } = setup();
    expect(run('migrate').code).toBe(0);
    writeMigrations(box.path('migrations'), TRAILING_COMMA);
    const before = inspectDb(box.path('app.db'));

    const result = run('validate');
    expect(result).toEqual({ code: 1, stdout: '', stderr: `${TRAILING_COMMA_ERROR}\nvalidate: 1 problem found.\n` });
    const json = run('validate', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      ...whereFields(box, driver),
      order: ['001', '002', '003', '004'].map((version) => ({ version, name: expect.any(String) })),
      problems: [
        {
          code: 'REPLAY_FAILED',
          message: expect.stringMatching(/^migration 004 \(tags\) failed on the in-memory replay at 004_tags\/up\.sql:5:1: /),
          version: '004',
          file: '004_tags/up.sql',
          line: 5,
          column: 1,
        },
      ],
      warnings: [],
      notReplayed: [],
      drift: [],
    });
    expect(inspectDb(box.path('app.db'))).toEqual(before);

    expect(run('validate', '--no-replay')).toEqual({ code: 0, stdout: 'OK: 4 migrations, no problems.\n', stderr: '' });
  });

  it('works without a database file, creating none, and lists what depends on a failure as not replayed', () => {
    const { box, run } = setup();
    writeMigrations(box.path('migrations'), {
      '004_index': { up: 'CREATE INDEX idx_nope_x ON nope (x);\n' },
      '005_more': { up: 'CREATE TABLE more (id INTEGER PRIMARY KEY);\n', meta: 'dependencies: ["004"]\n' },
      '006_audit': { up: 'INSERT INTO ghosts SELECT * FROM users;\n' },
    });
    const result = run('validate');
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      [
        'error REPLAY_FAILED: migration 004 (index) failed on the in-memory replay at 004_index/up.sql:1:28: no such table: main.nope',
        '  CREATE INDEX idx_nope_x ON nope (x)',
        '  version: 004',
        '  file: 004_index/up.sql',
        'error REPLAY_FAILED: migration 006 (audit) failed on the in-memory replay at 006_audit/up.sql:1:13: no such table: ghosts',
        '  INSERT INTO ghosts SELECT * FROM users',
        '  version: 006',
        '  file: 006_audit/up.sql',
        '005 not replayed: it depends on 004, which could not be replayed.',
        'validate: 2 problems found.',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(run('validate', '--json').stdout).notReplayed).toEqual([{ version: '005', name: 'more', after: ['004'] }]);
    expect(existsSync(box.path('app.db'))).toBe(false);
  });

  it('checks every down.sql with --round-trip, one line per migration, and fails on one that forgets an index', () => {
    const { box, run } = setup();
    expect(run('validate', '--round-trip')).toEqual({
      code: 0,
      stdout: [
        'Round trips:',
        '  ✓ 001 create_users  down.sql restores it',
        '  ✓ 002 create_posts  down.sql restores it',
        '  ✓ 003 index_emails  down.sql restores it',
        'OK: 3 migrations, no problems.',
        '',
      ].join('\n'),
      stderr: '',
    });
    writeMigrations(box.path('migrations'), {
      '004_titles': {
        up: 'CREATE INDEX idx_posts_title ON posts (title);\n',
        down: 'SELECT 1;\n',
        meta: 'dependencies: ["002"]\n',
      },
      '005_plain': { up: 'CREATE TABLE plain (id INTEGER PRIMARY KEY);\n' },
    });
    const result = run('validate', '--round-trip');
    expect(result).toEqual({
      code: 1,
      stdout: [
        'Round trips:',
        '  ✓ 001 create_users  down.sql restores it',
        '  ✓ 002 create_posts  down.sql restores it',
        '  ✓ 003 index_emails  down.sql restores it',
        '  ✗ 004 titles  failed',
        '  - 005 plain  skipped: no down.sql',
        '',
      ].join('\n'),
      stderr: [
        'error ROUND_TRIP_FAILED: migration 004 (titles): down.sql does not restore the database as it was before up.sql, on the in-memory round trip: index idx_posts_title added',
        '  version: 004',
        '  file: 004_titles/down.sql',
        'validate: 1 problem found.',
        '',
      ].join('\n'),
    });
    const json = JSON.parse(run('validate', '--round-trip', '--json').stdout);
    expect(json.problems.map((p: { code: string }) => p.code)).toEqual(['ROUND_TRIP_FAILED']);
    expect(json.roundTrips.slice(3)).toEqual([
      { version: '004', name: 'titles', outcome: 'failed', differences: ['index idx_posts_title added'] },
      { version: '005', name: 'plain', outcome: 'skipped', reason: 'no-down' },
    ]);
    // Without --round-trip, the down.sql is never run.
    expect(run('validate').code).toBe(0);
  });

  it('passes --round-trip on the built-in migrations', () => {
    const box = sandbox();
    const result = box.run(['--driver', driver, '--db', 'app.db', '--dir', REPO_MIGRATIONS, 'validate', '--round-trip']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('OK: 3 migrations, no problems.\n');
  });
});

describe('validate --help', () => {
  it('names the replay and its options', () => {
    const { stdout, code } = sandbox().run(['validate', '--help']);
    expect(code).toBe(0);
    expect(stdout).toContain('Usage: strata [options] validate [--no-replay | --round-trip]');
    expect(stdout).toContain('  --no-replay        skip the replay in memory: check files, dependencies and checksums only\n');
    expect(stdout).toContain('  --round-trip       also check that each down.sql undoes its up.sql, on the replay\n');
  });

  it('refuses --round-trip with --no-replay as a usage error', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['validate', '--no-replay', '--round-trip'])).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: --round-trip runs on the replay that --no-replay skips; give one of them\nRun "strata validate --help" for usage.\n',
    });
  });
});
