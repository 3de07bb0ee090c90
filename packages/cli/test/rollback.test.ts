import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

describe.each(DRIVERS)('rollback (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it.each([['rollback:002'], ['rollback', '002']])('rolls back one migration with %s', (...command) => {
    const { run, db } = setup();
    const result = run(...command);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^ {2}✓ 002 create_posts {2}\((<1|\d+) ms\)\nRolled back 1 migration in (<1|\d+) ms\.\n$/);
    const { objects, history } = inspectDb(db);
    expect(objects).not.toContain('posts');
    expect(history.map((r) => r.version)).toEqual(['001', '003']);
    expect(run('status').stdout).toContain('Pending migrations:\n  ○ 002 - create_posts\n');
  });

  it('accepts options before the command', () => {
    const { box, db } = setup();
    const result = box.run(['--cascade', '--db', 'app.db', '--driver', driver, 'rollback:001']);
    expect(result.code).toBe(0);
    expect(inspectDb(db).history).toEqual([]);
  });

  it('refuses while applied migrations depend on the target: exit 1, DEPENDENTS_APPLIED, nothing changed', () => {
    const { box, run, db } = setup();
    const before = readFileSync(db);
    const result = run('rollback', '001');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^error DEPENDENTS_APPLIED: migration 001_create_users cannot be rolled back while 002_create_posts, 003_index_emails depend on it/,
    );
    expect(result.stderr).toContain('  version: 001\n');
    expect(inspectDb(db).history).toHaveLength(3);
    expect(readFileSync(db).equals(before)).toBe(true);

    const json = run('rollback', '001', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout)).toEqual({
      error: { code: 'DEPENDENTS_APPLIED', message: expect.any(String), version: '001' },
      ...whereFields(box, driver),
    });
  });

  it('reads down.sql when rolling back: one broken since the run stops only the rollback, naming it', () => {
    const { box, run, db } = setup();
    writeFileSync(box.path('migrations', '003_index_emails', 'down.sql'), Buffer.from([0x44, 0x52, 0x4f, 0x50, 0x20, 0xff]));
    // A run with nothing to do does not read it: only a rollback runs a down.sql.
    expect(run('migrate')).toMatchObject({ code: 0, stdout: 'Nothing to migrate: 3 applied, 0 pending.\n' });
    const before = readFileSync(db);
    const result = run('rollback:003');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error INVALID_MIGRATION: 003_index_emails\/down\.sql is not UTF-8: the byte at offset 5 \(0xff\) does not start a valid character/,
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(inspectDb(db).history).toHaveLength(3);
    expect(run('validate').stderr).toContain('003_index_emails/down.sql is not UTF-8');
  });

  it('rolls back the dependents first, newest first, with --cascade', () => {
    const { run, db } = setup();
    const result = run('rollback:001', '--cascade');
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').map((line) => line.replace(/ {2}\(.*\)$/, ''))).toEqual([
      '  ✓ 003 index_emails',
      '  ✓ 002 create_posts',
      '  ✓ 001 create_users',
      expect.stringMatching(/^Rolled back 3 migrations in /),
      '',
    ]);
    const { objects, history } = inspectDb(db);
    expect(history).toEqual([]);
    expect(objects).toEqual(['schema_migrations']);
  });

  it('prints the down.sql of a dry run and changes nothing', () => {
    const { run, db } = setup();
    const before = readFileSync(db);
    const result = run('rollback:001', '--cascade', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '-- 003_index_emails/down.sql',
        'DROP INDEX idx_users_email;',
        '',
        '-- 002_create_posts/down.sql',
        'DROP TABLE posts;',
        '',
        '-- 001_create_users/down.sql',
        'DROP TABLE users;',
        '',
        '-- Dry run: 3 migrations would be rolled back; nothing was changed.',
        '',
      ].join('\n'),
    );
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('prints the RunReport with --json', () => {
    const { box, run } = setup();
    const result = run('rollback:003', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      direction: 'down',
      dryRun: false,
      steps: [
        {
          version: '003',
          name: 'index_emails',
          folder: '003_index_emails',
          status: 'rolled-back',
          durationMs: expect.any(Number),
        },
      ],
      ...whereFields(box, driver),
    });
  });

  it('says what is wrong with a version that is unknown or not applied', () => {
    const { run } = setup();
    expect(run('rollback:009')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error UNKNOWN_VERSION: /) });
    run('rollback:003');
    expect(run('rollback:003')).toMatchObject({ code: 1, stderr: expect.stringMatching(/^error NOT_APPLIED: /) });
  });
});

describe.each(DRIVERS)('rollback several (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };
  const versions = (db: string) => inspectDb(db).history.map((r) => r.version);

  it.each([
    [
      ['rollback', '--last'],
      ['001', '002'],
    ],
    [['rollback:last'], ['001', '002']],
    [['rollback', '--steps', '2'], ['001']],
    [['rollback:steps:2'], ['001']],
    [['rollback', '--to', '001'], ['001']],
    [['rollback:to:001'], ['001']],
    [['rollback', '--steps', '3'], []],
  ])('%j rolls back the latest, newest first, leaving %j', (command, left) => {
    const { run, db } = setup();
    const result = run(...command);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const rolled = ['003', '002', '001'].slice(0, 3 - left.length);
    expect(
      result.stdout
        .split('\n')
        .slice(0, rolled.length)
        .map((line) => line.replace(/ {2}\(.*\)$/, '').split(' ')[3]),
    ).toEqual(rolled);
    expect(versions(db)).toEqual(left);
  });

  it('prints what --to would roll back with --dry-run --json, and changes nothing', () => {
    const { box, run, db } = setup();
    const before = readFileSync(db);
    const result = run('rollback', '--to', '001', '--dry-run', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      ...whereFields(box, driver),
      direction: 'down',
      dryRun: true,
      steps: [
        {
          version: '003',
          name: 'index_emails',
          folder: '003_index_emails',
          status: 'planned',
          sql: 'DROP INDEX idx_users_email;\n',
        },
        { version: '002', name: 'create_posts', folder: '002_create_posts', status: 'planned', sql: 'DROP TABLE posts;\n' },
      ],
    });
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses more steps than are applied, and a target given twice, changing nothing', () => {
    const { run, db } = setup();
    const before = readFileSync(db);
    expect(run('rollback', '--steps', '4')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error NOT_APPLIED: cannot roll back the last 4 migrations: only 3 are applied\n/),
    });
    expect(run('rollback', '--last', '3')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'rollback needs exactly one of a version V, --last, --steps N or --to V, not 2 (for the last 3, write --steps 3)',
      ),
    });
    expect(run('rollback', '002', '--last')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'rollback needs exactly one of a version V, --last, --steps N or --to V, not 2 (to roll back migration 002 alone, leave out --last)\n',
      ),
    });
    expect(run('rollback', '--last', '100')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'not 2 (for the last 100, write --steps 100; to roll back migration 100 alone, leave out --last)\n',
      ),
    });
    expect(run('rollback', '--steps', '0')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--steps must be a whole number of at least 1, not "0"'),
    });
    expect(run('rollback')).toMatchObject({ code: 2, stderr: expect.stringContaining('not none') });
    expect(readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses the last one while migrations applied before it depend on it, unless --cascade', () => {
    const { run, db } = setup();
    // 001 recorded last, as a history written out of order holds it: 002 and 003 depend on it.
    execSql(db, "UPDATE schema_migrations SET applied_at = '2999-01-01 00:00:00' WHERE version = '001'");
    const before = readFileSync(db);
    const refused = run('rollback', '--last');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error DEPENDENTS_APPLIED: migration 001_create_users cannot be rolled back while 002_create_posts, 003_index_emails depend on it; roll them back first or use cascade\n/,
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    const cascade = run('rollback:last:cascade');
    expect(cascade.code).toBe(0);
    expect(cascade.stdout).toMatch(/^ {2}✓ 003 index_emails .*\n {2}✓ 002 create_posts .*\n {2}✓ 001 create_users /);
    expect(versions(db)).toEqual([]);
  });
});
