import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

describe('new', () => {
  it('creates the next folder with up.sql, down.sql and meta.yaml, and says so', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['new', 'add user tags', '--depends', '001,3', '--description', 'Tags on users']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'Created migrations/004_add_user_tags/',
        '  + migrations/004_add_user_tags/up.sql',
        '  + migrations/004_add_user_tags/down.sql',
        '  + migrations/004_add_user_tags/meta.yaml',
        'Write the SQL in up.sql and down.sql, then check it with "strata validate".',
        '',
      ].join('\n'),
    );
    const meta = readFileSync(box.path('migrations', '004_add_user_tags', 'meta.yaml'), 'utf8');
    expect(meta).toMatch(
      /^description: "Tags on users"\ndependencies: \["001", "003"\]\ncreated_at: "\d{4}-\d\d-\d\dT[\d:]{8}Z"\n$/,
    );
    expect(readFileSync(box.path('migrations', '004_add_user_tags', 'up.sql'), 'utf8')).toMatch(/^-- 004_add_user_tags: up\n/);
  });

  it('keeps the width the folder uses, and creates a missing folder named by --dir', () => {
    const box = sandbox();
    writeMigrations(box.path('wide'), { '0009_a': { up: 'SELECT 1;\n' } });
    expect(box.run(['new', 'b', '--dir', 'wide']).code).toBe(0);
    expect(readdirSync(box.path('wide')).sort()).toEqual(['0009_a', '0010_b']);
    expect(box.run(['new', 'first', '--dir', 'fresh/sql']).stdout).toContain('Created fresh/sql/001_first/\n');
  });

  it('prints the scaffold with --json', () => {
    const box = sandbox();
    const result = box.run(['new', 'addTags', '--json']);
    expect(result.code).toBe(0);
    const folder = box.path('migrations', '001_add_tags');
    expect(JSON.parse(result.stdout)).toEqual({
      version: '001',
      name: 'add_tags',
      folder: '001_add_tags',
      path: folder,
      files: [`${folder}/up.sql`, `${folder}/down.sql`, `${folder}/meta.yaml`],
      ...whereFields(box, 'better-sqlite3', box.defaultDb, false),
    });
  });

  it.each([
    [['new', 'tags!'], 'INVALID_MIGRATION', /migration name "tags!" is not lower snake_case/],
    [['new', 'two__fa_'], 'INVALID_MIGRATION', /migration name "two__fa_" \(as "two_fa_"\) is not lower snake_case/],
    [['new', 'create users'], 'INVALID_MIGRATION', /a migration named create_users already exists \(001_create_users\)/],
    [['new', 'x', '--depends', '009'], 'MISSING_DEPENDENCY', /cannot depend on "009": no migration has that version/],
    [['new', 'x', '--depends', 'latest'], 'INVALID_OPTION', /cannot depend on "latest": it is not a version/],
  ])('refuses %j with exit 1 and %s, creating nothing', (args, code, message) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(args);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(new RegExp(`^error ${code}: `));
    expect(result.stderr).toMatch(message);
    expect(readdirSync(box.path('migrations')).sort()).toEqual(Object.keys(THREE));
    expect(JSON.parse(box.run([...args, '--json']).stdout).error.code).toBe(code);
  });

  it('reports every problem at once', () => {
    const box = sandbox();
    const result = box.run(['new', 'Bad!', '--depends', '7']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error VALIDATION_FAILED: 2 problems found\n/);
    expect(result.stderr).toMatch(/^ {2}INVALID_MIGRATION: /m);
    expect(result.stderr).toMatch(/^ {2}MISSING_DEPENDENCY: /m);
    expect(existsSync(box.path('migrations'))).toBe(false);
  });

  it('needs a name (exit 2)', () => {
    const result = sandbox().run(['new']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: new needs a name argument\n/);
  });

  it.each(DRIVERS)('makes a folder that validates and migrates once the SQL is written (--driver %s)', (driver) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    expect(run('new', 'add_tags', '--depends', '001').code).toBe(0);
    // Untouched, the template is only comments: validate names up.sql, and migrate would refuse to start.
    const untouched = run('validate');
    expect(untouched.code).toBe(1);
    expect(untouched.stderr).toMatch(
      /^error INVALID_MIGRATION: 004_add_tags\/up\.sql has no SQL statements, only comments: write the SQL/m,
    );

    const folder = box.path('migrations', '004_add_tags');
    writeFileSync(`${folder}/up.sql`, 'CREATE TABLE tags (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));\n');
    // A down.sql left as comments makes the migration irreversible: a warning, not a problem.
    const irreversible = run('validate');
    expect(irreversible.code).toBe(0);
    expect(irreversible.stdout).toBe('OK: 4 migrations, no problems.\n');
    expect(irreversible.stderr).toMatch(
      /^warning IRREVERSIBLE: migration 004_add_tags cannot be rolled back: 004_add_tags\/down\.sql has no SQL statements/,
    );
    writeFileSync(`${folder}/down.sql`, 'DROP TABLE tags;\n');
    expect(run('validate')).toMatchObject({ code: 0, stdout: 'OK: 4 migrations, no problems.\n' });
    expect(run('migrate').stdout).toMatch(/^ {2}✓ 004 add_tags /);
    expect(inspectDb(box.path('app.db')).objects).toContain('tags');
    expect(run('rollback:004').code).toBe(0);
    expect(inspectDb(box.path('app.db')).objects).not.toContain('tags');
  });
});
