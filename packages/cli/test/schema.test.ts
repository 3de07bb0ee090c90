import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

const EXPECTED = [
  'CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id), title TEXT);',
  '',
  'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);',
  '',
  'CREATE UNIQUE INDEX idx_users_email ON users (email);',
  '',
].join('\n');

describe.each(DRIVERS)('schema (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run };
  };

  it('prints the schema the folder builds, tables first, each by name, without the history table or a database', () => {
    const { box, run } = setup();
    const result = run('schema');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(EXPECTED);
    expect(existsSync(box.path('app.db'))).toBe(false);
  });

  it('writes schema.sql, passes --check while it is current, and names what changed once a migration is added', () => {
    const { box, run } = setup();
    expect(run('schema', '--out', 'schema.sql').stdout).toBe('Wrote schema.sql (3 objects).\n');
    expect(readFileSync(box.path('schema.sql'), 'utf8')).toBe(EXPECTED);
    expect(run('schema', '--check', 'schema.sql')).toMatchObject({ code: 0, stdout: 'schema.sql is up to date.\n' });

    writeMigrations(box.path('migrations'), {
      '004_titles': { up: 'CREATE INDEX idx_posts_title ON posts (title);\nALTER TABLE users ADD COLUMN name TEXT;\n' },
    });
    const stale = run('schema', '--check', 'schema.sql');
    expect(stale.code).toBe(1);
    expect(stale.stderr).toBe(
      [
        'error: schema.sql is not the schema the migrations build:',
        '  table users: column name TEXT added',
        '  index idx_posts_title added',
        'Write it again with "strata schema --out schema.sql".',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(run('schema', '--check', 'schema.sql', '--json').stdout)).toEqual({
      ...whereFields(box, driver, box.path('app.db'), false),
      file: box.path('schema.sql'),
      upToDate: false,
      differences: ['table users: column name TEXT added', 'index idx_posts_title added'],
    });
  });

  it('reads the database with --database: what migrate built, and what was added beside the migrations', () => {
    const { box, run } = setup();
    expect(run('migrate').code).toBe(0);
    expect(run('schema', '--database').stdout).toBe(EXPECTED);
    execSql(box.path('app.db'), 'CREATE TABLE notes (id INTEGER PRIMARY KEY)');
    expect(run('schema', '--database').stdout).toBe(`CREATE TABLE notes (id INTEGER PRIMARY KEY);\n\n${EXPECTED}`);
  });
});
