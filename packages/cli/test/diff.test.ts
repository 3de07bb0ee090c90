import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { countRows, execSql, inspectDb, REPO_MIGRATIONS, sandbox, THREE, writeMigrations } from './support/cli.js';

/** THREE's schema with a column added to users and one renamed in posts. */
const WANTED = [
  'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT);',
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), heading TEXT);',
  'CREATE UNIQUE INDEX idx_users_email ON users (email);',
  '',
].join('\n');

describe.each(DRIVERS)('diff (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    writeFileSync(box.path('wanted.sql'), WANTED);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run };
  };
  const folders = (dir: string) => readdirSync(dir).sort();

  it('refuses to guess a rename: exit 1, AMBIGUOUS_CHANGE with the --rename that would say it, nothing written', () => {
    const { box, run } = setup();
    const message =
      'table posts: column title disappears while column heading appears: a rename or a drop? Say which with --rename posts.title=heading, or --allow-drop to drop and create';
    const result = run('diff', '--to', 'wanted.sql');
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(`error AMBIGUOUS_CHANGE: ${message}\n`);
    const json = run('diff', '--to', 'wanted.sql', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).error).toEqual({ code: 'AMBIGUOUS_CHANGE', message });
    expect(folders(box.path('migrations'))).toEqual(Object.keys(THREE));
  });

  it('writes the next folder with --rename: ALTER TABLE statements, the leaves as dependencies, and it passes validate --round-trip', () => {
    const { box, run } = setup();
    const result = run('diff', '--to', 'wanted.sql', '--rename', 'posts.title=heading', '--name', 'tidy posts');
    expect(result.stderr).toBe('');
    expect(result).toMatchObject({ code: 0 });
    expect(result.stdout).toBe(
      [
        'Created migrations/004_tidy_posts/',
        '  + migrations/004_tidy_posts/up.sql',
        '  + migrations/004_tidy_posts/down.sql',
        '  + migrations/004_tidy_posts/meta.yaml',
        '  table posts: column heading TEXT added',
        '  table posts: column title removed',
        '  table users: column name TEXT added',
        'Read it, then check it with "strata validate --round-trip".',
        '',
      ].join('\n'),
    );
    const folder = box.path('migrations', '004_tidy_posts');
    expect(readFileSync(`${folder}/up.sql`, 'utf8')).toBe(
      'ALTER TABLE "posts" RENAME COLUMN "title" TO "heading";\nALTER TABLE "users" ADD COLUMN name TEXT;\n',
    );
    expect(readFileSync(`${folder}/down.sql`, 'utf8')).toBe(
      'ALTER TABLE "posts" RENAME COLUMN "heading" TO "title";\nALTER TABLE "users" DROP COLUMN "name";\n',
    );
    // 001 is needed by 002 and 003; those two are what nothing depends on yet.
    expect(readFileSync(`${folder}/meta.yaml`, 'utf8')).toMatch(
      /^description: "Reach the schema of wanted\.sql"\ndependencies: \["002", "003"\]\ncreated_at: "[0-9T:-]+Z"\n$/,
    );
    const validated = run('validate', '--round-trip');
    expect(validated.stdout).toContain('✓ 004 tidy_posts  down.sql restores it');
    expect(validated.code).toBe(0);
    expect(run('diff', '--to', 'wanted.sql')).toEqual({
      code: 0,
      stdout: 'No difference: the migrations already build the schema of wanted.sql.\n',
      stderr: '',
    });
  });

  it('--dry-run prints up.sql and down.sql and writes nothing; --json carries the same', () => {
    const { box, run } = setup();
    const result = run('diff', '--to', 'wanted.sql', '--rename', 'posts.title=heading', '--dry-run');
    expect(result).toEqual({
      code: 0,
      stdout: [
        '-- up.sql',
        'ALTER TABLE "posts" RENAME COLUMN "title" TO "heading";',
        'ALTER TABLE "users" ADD COLUMN name TEXT;',
        '',
        '-- down.sql',
        'ALTER TABLE "posts" RENAME COLUMN "heading" TO "title";',
        'ALTER TABLE "users" DROP COLUMN "name";',
        '',
      ].join('\n'),
      stderr: '',
    });
    const json = JSON.parse(run('diff', '--to', 'wanted.sql', '--rename', 'posts.title=heading', '--dry-run', '--json').stdout);
    expect(json).toMatchObject({
      folder: null,
      foreignKeysOff: false,
      warnings: [],
      differences: [
        'table posts: column heading TEXT added',
        'table posts: column title removed',
        'table users: column name TEXT added',
      ],
    });
    expect(folders(box.path('migrations'))).toEqual(Object.keys(THREE));
  });

  it('drops only with --allow-drop (DESTRUCTIVE_CHANGE before), warning on stderr and in up.sql, foreign keys off for the rebuild', () => {
    const { box, run } = setup();
    writeFileSync(
      box.path('smaller.sql'),
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);\nCREATE UNIQUE INDEX idx_users_email ON users (email);\n',
    );
    const refused = run('diff', '--to', 'smaller.sql');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'error DESTRUCTIVE_CHANGE: the new schema drops table posts, whose rows or values would be lost: pass --allow-drop to write the drop\n',
    );
    const result = run('diff', '--to', 'smaller.sql', '--allow-drop', '--name', 'drop_posts');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('warning: table posts is dropped: its rows are lost\n');
    const folder = box.path('migrations', '004_drop_posts');
    expect(readFileSync(`${folder}/up.sql`, 'utf8')).toBe(
      '-- table posts is dropped: its rows are lost\n\nDROP TABLE "posts";\n',
    );
    expect(readFileSync(`${folder}/meta.yaml`, 'utf8')).not.toContain('foreign_keys');
    expect(run('validate', '--round-trip').code).toBe(0);
  });

  it('--json of a written migration: its folder, version and files, the SQL, warnings and differences', () => {
    const { box, run } = setup();
    writeFileSync(box.path('typed.sql'), WANTED.replace('heading TEXT', 'title INTEGER'));
    const result = run('diff', '--to', 'typed.sql', '--name', 'typed', '--json');
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    const folder = box.path('migrations', '004_typed');
    expect(json).toMatchObject({
      folder,
      version: '004',
      files: [`${folder}/up.sql`, `${folder}/down.sql`, `${folder}/meta.yaml`],
      foreignKeysOff: true,
      warnings: ['table posts: column title changes type TEXT → INTEGER: SQLite converts the values it can'],
      differences: ['table posts: column title: type TEXT → INTEGER', 'table users: column name TEXT added'],
    });
    expect(json.up).toBe(readFileSync(`${folder}/up.sql`, 'utf8'));
    expect(json.down).toBe(readFileSync(`${folder}/down.sql`, 'utf8'));
    expect(run('validate', '--round-trip').code).toBe(0);
  });

  it('reads a SQLite database as TO, its history table left out, and keeps the rows through a rebuild', () => {
    const { box, run } = setup();
    execSql(
      box.path('desired.db'),
      [
        'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
        "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT NOT NULL DEFAULT '');",
        'CREATE UNIQUE INDEX idx_users_email ON users (email);',
        'CREATE TABLE schema_migrations (version TEXT);',
      ].join('\n'),
    );
    expect(run('migrate').code).toBe(0);
    execSql(box.path('app.db'), "INSERT INTO users VALUES (1, 'a@x'); INSERT INTO posts VALUES (10, 1, 'hello');");
    const written = run('diff', '--to', 'desired.db', '--name', 'titles');
    expect(written.stderr).toBe(
      'warning: table posts: column title becomes NOT NULL: copying the rows fails if one holds NULL\n',
    );
    const meta = readFileSync(box.path('migrations', '004_titles', 'meta.yaml'), 'utf8');
    expect(meta).toContain('foreign_keys: off\n');
    expect(run('migrate').code).toBe(0);
    expect(inspectDb(box.path('app.db')).history.map((h) => h.version)).toEqual(['001', '002', '003', '004']);
    expect(countRows(box.path('app.db'), 'posts')).toBe(1);
    expect(run('diff', '--to', 'desired.db').stdout).toBe(
      'No difference: the migrations already build the schema of desired.db.\n',
    );
  });

  it('regenerates the built-in migrations: from an empty folder to schema.sql, whose replay is the built-in schema', () => {
    const box = sandbox();
    mkdirSync(box.path('empty'));
    const builtIn = box.run(['--driver', driver, '--dir', REPO_MIGRATIONS, 'schema']);
    expect(builtIn.code).toBe(0);
    // The repository's schema.sql is the schema of the built-in migrations.
    const schemaFile = join(REPO_MIGRATIONS, '..', 'schema.sql');
    expect(readFileSync(schemaFile, 'utf8')).toBe(builtIn.stdout);
    const written = box.run(['--driver', driver, '--dir', 'empty', 'diff', '--to', schemaFile, '--name', 'initial_schema']);
    expect(written.code).toBe(0);
    expect(existsSync(box.path('empty', '001_initial_schema', 'up.sql'))).toBe(true);
    expect(box.run(['--driver', driver, '--dir', 'empty', 'schema'])).toEqual(builtIn);
    expect(box.run(['--driver', driver, '--dir', 'empty', '--db', 'x.db', 'validate', '--round-trip']).code).toBe(0);
  });
});

describe('diff: bad input', () => {
  it('a --rename that is not OLD=NEW is a usage error; a TO that is not SQL is INVALID_OPTION naming the file', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    writeFileSync(box.path('broken.sql'), 'CREATE TABLE (;\n');
    expect(box.run(['diff', '--to', 'broken.sql', '--rename', 'users'])).toMatchObject({ code: 2 });
    const broken = box.run(['diff', '--to', 'broken.sql']);
    expect(broken.code).toBe(1);
    expect(broken.stderr).toMatch(/^error INVALID_OPTION: --to .*broken\.sql cannot be run as SQL: /);
    expect(box.run(['diff'])).toMatchObject({ code: 2, stderr: expect.stringContaining('diff needs --to <file>') });
  });
});
