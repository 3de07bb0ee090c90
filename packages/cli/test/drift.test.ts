import { writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, REPO_MIGRATIONS, sandbox, THREE, writeMigrations } from './support/cli.js';

const SENTENCES = ['table users: column phone TEXT added', 'index idx_posts_title added'];
const MESSAGE = `the database schema is not the one its applied migrations build: ${SENTENCES.join('; ')}; write a migration for a change made on purpose, or undo it`;
const HAND_CHANGE = 'ALTER TABLE users ADD COLUMN phone TEXT; CREATE INDEX idx_posts_title ON posts (title);';

describe.each(DRIVERS)('drift (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it('finds none after a normal run: exit 0, no Drift section, an empty drift list in --json', () => {
    const { run } = setup();
    const status = run('status');
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).not.toContain('Drift');
    expect(JSON.parse(run('status', '--json').stdout)).toMatchObject({ problems: [], drift: [] });
    expect(run('validate')).toMatchObject({ code: 0, stdout: 'OK: 3 migrations, no problems.\n', stderr: '' });
  });

  it('reports a change made by hand: a Drift section, SCHEMA_DRIFT on stderr and in --json, exit 1', () => {
    const { run, db } = setup();
    execSql(db, HAND_CHANGE);

    const status = run('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(
      new RegExp(
        `\\n {2}\\(none\\)\\n\\nDrift:\\n {2}✗ ${SENTENCES[0]}\\n {2}✗ ${SENTENCES[1]}\\n\\nProblems:\\n {2}✗ SCHEMA_DRIFT: ${literal(MESSAGE)}\\n$`,
      ),
    );
    expect(status.stderr).toBe('status: 1 problem found: SCHEMA_DRIFT\n');

    const json = run('status', '--json');
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.problems).toEqual([{ code: 'SCHEMA_DRIFT', message: MESSAGE }]);
    expect(report.drift).toEqual([
      { kind: 'table', name: 'users', change: 'changed', message: SENTENCES[0] },
      { kind: 'index', name: 'idx_posts_title', change: 'added', message: SENTENCES[1] },
    ]);

    expect(run('validate')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error SCHEMA_DRIFT: ${MESSAGE}\nvalidate: 1 problem found.\n`,
    });
    const validation = run('validate', '--json');
    expect(validation.code).toBe(1);
    expect(JSON.parse(validation.stdout)).toMatchObject({
      problems: [{ code: 'SCHEMA_DRIFT', message: MESSAGE }],
      drift: report.drift,
    });
  });

  it('--no-drift leaves the check out: exit 0, no drift in the text or the JSON', () => {
    const { run, db } = setup();
    execSql(db, HAND_CHANGE);
    const status = run('status', '--no-drift');
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).not.toContain('Drift');
    const json = JSON.parse(run('status', '--no-drift', '--json').stdout);
    expect(json.problems).toEqual([]);
    expect(json).not.toHaveProperty('drift');
    expect(json).not.toHaveProperty('driftSkipped');
    expect(run('validate', '--no-drift')).toMatchObject({ code: 0, stdout: 'OK: 3 migrations, no problems.\n' });
  });

  it('skips the check while an applied migration was edited, and says why', () => {
    const { box, run, db } = setup();
    execSql(db, HAND_CHANGE);
    writeFileSync(box.path('migrations', '002_create_posts', 'up.sql'), 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n');
    const why =
      'the migrations folder or the history has problems (CHECKSUM_MISMATCH 002), so replaying the applied migrations would not build what they built; fix those first';
    const status = run('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toContain(`\n\nDrift:\n  (not checked: ${why})\n\nProblems:\n  ✗ CHECKSUM_MISMATCH: `);
    expect(status.stderr).toBe('status: 1 problem found: CHECKSUM_MISMATCH (002)\n');
    const json = JSON.parse(run('status', '--json').stdout);
    expect(json.problems.map((p: { code: string }) => p.code)).toEqual(['CHECKSUM_MISMATCH']);
    expect(json).not.toHaveProperty('drift');
    expect(json.driftSkipped).toBe(why);
    const validate = run('validate');
    expect(validate.code).toBe(1);
    expect(validate.stderr).toMatch(/^error CHECKSUM_MISMATCH: /);
    expect(validate.stderr.endsWith(`\nvalidate: 1 problem found.\nnote: drift not checked: ${why}\n`)).toBe(true);
  });

  it('does not check, nor fail, on a database that does not exist yet', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const status = box.run(['--driver', driver, '--db', 'new.db', 'status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).not.toContain('Drift');
    expect(box.run(['--driver', driver, '--db', 'new.db', 'validate']).code).toBe(0);
  });

  it('does not fail on a database with tables but no history, and says why it was not checked', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    execSql(box.path('old.db'), 'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);');
    const status = box.run(['--driver', driver, '--db', 'old.db', 'status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain(
      '\n\nDrift:\n  (not checked: the database has no history table schema_migrations, so no migration is recorded as applied, but it holds users; if another table records its migrations, name that one as the history table, and if migrations built these, baseline records those migrations as applied)\n',
    );
  });

  it('explains --no-drift in the help of status and validate', () => {
    const box = sandbox();
    for (const command of ['status', 'validate']) {
      const help = box.run([command, '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--no-drift +do not compare the schema with the one the applied migrations build/);
      expect(help.stdout).toContain('SCHEMA_DRIFT');
    }
  });
});

describe('drift across engines', () => {
  it('finds none when sql.js inspects the built-in migrations applied by better-sqlite3, and the same drift as it', () => {
    const box = sandbox();
    const common = ['--dir', REPO_MIGRATIONS, '--db', 'app.db'];
    expect(box.run([...common, '--journal-mode', 'delete', 'migrate']).code).toBe(0);
    for (const driver of DRIVERS) {
      const status = box.run([...common, '--driver', driver, 'status', '--json']);
      expect(status.code).toBe(0);
      expect(JSON.parse(status.stdout)).toMatchObject({ problems: [], drift: [] });
    }
    execSql(box.path('app.db'), 'ALTER TABLE users ADD COLUMN phone TEXT');
    const drifts = DRIVERS.map((driver) => {
      const status = box.run([...common, '--driver', driver, 'status', '--json']);
      expect(status.code).toBe(1);
      return JSON.parse(status.stdout).drift;
    });
    expect(drifts).toEqual([
      [{ kind: 'table', name: 'users', change: 'changed', message: 'table users: column phone TEXT added' }],
      [{ kind: 'table', name: 'users', change: 'changed', message: 'table users: column phone TEXT added' }],
    ]);
  });
});

describe('drift of a database sql.js cannot fully read', () => {
  it('skips the check, saying why, where the schema has a virtual table of a module sql.js lacks (fts5)', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), { '001_search': { up: 'CREATE VIRTUAL TABLE search USING fts5(body);\n' } });
    const common = ['--db', 'app.db'];
    expect(box.run([...common, '--journal-mode', 'delete', 'migrate']).code).toBe(0);
    expect(JSON.parse(box.run([...common, 'status', '--json']).stdout)).toMatchObject({ problems: [], drift: [] });
    const status = box.run([...common, '--driver', 'sqljs', 'status']);
    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toContain(
      `\n\nDrift:\n  (not checked: the database's schema cannot be read with the sqljs driver: database ${box.path('app.db')}: no such module: fts5)\n`,
    );
  });
});

/** `text` as a regular expression that matches it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
