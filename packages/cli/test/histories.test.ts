import { cpSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** Histories written for other tools, each migration in a folder of its own with up.sql and down.sql. */
const HISTORIES = fileURLToPath(new URL('./fixtures/histories', import.meta.url));

const withoutTimes = (text: string) => text.replace(/ {2}\((<1|\d+) ms\)/g, '').replace(/ in (<1|\d+) ms\./g, '.');

describe.each(DRIVERS)('histories of other tools run as they are (--driver %s)', (driver) => {
  const setup = (tool: string) => {
    const box = sandbox();
    cpSync(`${HISTORIES}/${tool}`, box.path('migrations'), { recursive: true });
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run, db: box.path('app.db') };
  };

  it('diesel: dashed timestamps are versions, and an empty down.sql makes its migration irreversible', () => {
    const { run, db } = setup('diesel');
    const validate = run('validate');
    expect(validate).toMatchObject({ code: 0, stdout: 'OK: 3 migrations, no problems.\n' });
    expect(validate.stderr).toBe(
      [
        'warning IRREVERSIBLE: migration 2024-03-15-120000_seed_roles cannot be rolled back: 2024-03-15-120000_seed_roles/down.sql has no SQL statements (it is empty or only comments), which makes the migration irreversible; write the SQL that undoes up.sql in it to make it reversible',
        '  version: 20240315120000',
        '  file: 2024-03-15-120000_seed_roles/down.sql',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(run('validate', '--json').stdout).warnings).toEqual([
      expect.objectContaining({ code: 'IRREVERSIBLE', version: '20240315120000', file: '2024-03-15-120000_seed_roles/down.sql' }),
    ]);

    const migrate = run('migrate');
    expect(migrate.code).toBe(0);
    expect(withoutTimes(migrate.stdout)).toBe(
      [
        '  ✓ 20240313170000 create_users',
        '  ✓ 20240314090000 create_posts',
        '  ✓ 20240315120000 seed_roles',
        'Applied 3 migrations.',
        '',
      ].join('\n'),
    );
    expect(inspectDb(db).history.map((r) => [r.version, r.name])).toEqual([
      ['20240313170000', 'create_users'],
      ['20240314090000', 'create_posts'],
      ['20240315120000', 'seed_roles'],
    ]);

    const before = readFileSync(db);
    const refused = run('rollback', '--last');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error IRREVERSIBLE: migration 2024-03-15-120000_seed_roles cannot be rolled back: 2024-03-15-120000_seed_roles\/down\.sql has no SQL statements/,
    );
    expect(refused.stderr).toContain('  file: 2024-03-15-120000_seed_roles/down.sql\n');
    expect(readFileSync(db).equals(before)).toBe(true);

    const rolled = run('rollback', '20240314090000');
    expect(rolled.code).toBe(0);
    expect(withoutTimes(rolled.stdout)).toBe('  ✓ 20240314090000 create_posts\nRolled back 1 migration.\n');
    expect(run('status').stdout).toContain('Pending migrations:\n  ○ 20240314090000 - create_posts\n');
  });

  it('golang-migrate: six-digit versions migrate, report and roll back', () => {
    const { run, db } = setup('golang-migrate');
    expect(run('migrate', '--to', '2').code).toBe(0);
    const status = JSON.parse(run('status', '--json').stdout);
    expect(status.applied.map((r: { version: string }) => r.version)).toEqual(['000001', '000002']);
    expect(status.pending).toEqual([{ version: '000003', name: 'add_posts_index' }]);
    expect(run('migrate').code).toBe(0);
    const rolled = run('rollback', '--steps', '2');
    expect(withoutTimes(rolled.stdout)).toBe('  ✓ 000003 add_posts_index\n  ✓ 000002 create_posts\nRolled back 2 migrations.\n');
    expect(inspectDb(db).objects).toEqual(['schema_migrations', 'users']);
  });

  it('goose: fourteen-digit versions sort by number, and a name may start with a digit', () => {
    const { run, db } = setup('goose');
    const migrate = run('migrate');
    expect(migrate.code).toBe(0);
    expect(withoutTimes(migrate.stdout)).toBe(
      [
        '  ✓ 20231231235959 create_users',
        '  ✓ 20240101000000 create_posts',
        '  ✓ 20240313170000 2fa_codes',
        'Applied 3 migrations.',
        '',
      ].join('\n'),
    );
    const rolled = run('rollback', '--to', '20231231235959', '--json');
    expect(JSON.parse(rolled.stdout).steps.map((s: { version: string }) => s.version)).toEqual([
      '20240313170000',
      '20240101000000',
    ]);
    expect(inspectDb(db).history.map((r) => r.version)).toEqual(['20231231235959']);
  });
});

describe.each(DRIVERS)('folders that cannot be migrations (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run, db: box.path('app.db') };
  };

  it.each([
    ['empty', [] as string[]],
    ['holding only .gitkeep', ['.gitkeep']],
  ])('reports a migration folder %s by its path', (_, files) => {
    const { box, run } = setup();
    mkdirSync(box.path('migrations', '004_add_tags'));
    for (const file of files) writeFileSync(box.path('migrations', '004_add_tags', file), '');
    const result = run('validate');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      `error INVALID_MIGRATION: ${box.path('migrations', '004_add_tags')} is an empty migration folder (it has no up.sql): write the SQL this migration runs in 004_add_tags/up.sql, or delete the folder`,
    );
    expect(run('migrate').code).toBe(1);
  });

  it('refuses migrations left as loose files beside the folders, saying where each belongs, and writes nothing', () => {
    const { box, run, db } = setup();
    writeFileSync(box.path('migrations', '000004_add_tags.up.sql'), 'CREATE TABLE tags (id INTEGER);\n');
    writeFileSync(box.path('migrations', '000004_add_tags.down.sql'), 'DROP TABLE tags;\n');
    writeFileSync(box.path('migrations', '20240313170000_add_notes.sql'), 'CREATE TABLE notes (id INTEGER);\n');
    writeFileSync(box.path('migrations', 'schema.sql'), 'CREATE TABLE ignored (id INTEGER);\n');
    const validate = run('validate', '--json');
    expect(validate.code).toBe(1);
    expect(JSON.parse(validate.stdout).problems).toEqual([
      {
        code: 'INVALID_MIGRATION',
        message:
          '000004_add_tags.down.sql lies directly in the migrations folder, so it never runs: each migration is a folder with up.sql and down.sql; move it to 000004_add_tags/down.sql',
        version: '000004',
        file: '000004_add_tags.down.sql',
      },
      {
        code: 'INVALID_MIGRATION',
        message:
          '000004_add_tags.up.sql lies directly in the migrations folder, so it never runs: each migration is a folder with up.sql and down.sql; move it to 000004_add_tags/up.sql',
        version: '000004',
        file: '000004_add_tags.up.sql',
      },
      {
        code: 'INVALID_MIGRATION',
        message:
          '20240313170000_add_notes.sql lies directly in the migrations folder, so it never runs: each migration is a folder with up.sql and down.sql; move it to 20240313170000_add_notes/up.sql (if it holds both halves, as goose writes them, put the part that undoes it in 20240313170000_add_notes/down.sql)',
        version: '20240313170000',
        file: '20240313170000_add_notes.sql',
      },
    ]);
    const migrate = run('migrate');
    expect(migrate.code).toBe(1);
    expect(migrate.stdout).toBe('');
    expect(existsSync(db)).toBe(false);
  });

  it('names up.sql or down.sql for a half named as another tool names it inside a folder', () => {
    const { box, run } = setup();
    mkdirSync(box.path('migrations', '000004_add_tags'));
    writeFileSync(box.path('migrations', '000004_add_tags', '000004_add_tags.up.sql'), 'CREATE TABLE tags (id INTEGER);\n');
    const result = run('validate');
    expect(result.code).toBe(1);
    expect(result.stderr.split('\n')[0]).toBe(
      'error INVALID_MIGRATION: 000004_add_tags/000004_add_tags.up.sql is not a migration file (rename it up.sql): expected up.sql, down.sql or meta.yaml',
    );
  });

  it('reports a duplicate version once, naming both folders, with no APPLIED_MISSING beside it', () => {
    const { box, run } = setup();
    expect(run('migrate').code).toBe(0);
    writeMigrations(box.path('migrations'), { '0003_other_index': { up: 'SELECT 1;\n' } });
    const status = run('status', '--json');
    expect(JSON.parse(status.stdout).problems).toEqual([
      {
        code: 'DUPLICATE_VERSION',
        message:
          '0003_other_index, 003_index_emails have the same version number; each version must be unique: renumber all but one',
        version: '0003',
        file: '0003_other_index',
      },
    ]);
  });

  it('summarises a long list of versions in a message', () => {
    const box = sandbox();
    const many = Object.fromEntries(
      Array.from({ length: 42 }, (_, i) => [
        `${String(i + 2).padStart(3, '0')}_t${i}`,
        { up: `CREATE TABLE t${i} (id INTEGER);\n`, meta: 'dependencies: ["001"]\n' },
      ]),
    );
    writeMigrations(box.path('migrations'), {
      '001_base': { up: 'CREATE TABLE base (id INTEGER);\n', down: 'DROP TABLE base;\n' },
      ...many,
    });
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    const result = run('rollback', '001');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error DEPENDENTS_APPLIED: migration 001_base cannot be rolled back while 002_t0, 003_t1, 004_t2, 005_t3, 006_t4 and 37 more depend on it; /,
    );
  });
});
