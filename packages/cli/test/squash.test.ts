import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** Every file under `dir` with its text: what a refused squash must leave as it was. */
function tree(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  for (const folder of readdirSync(dir).sort()) {
    for (const file of readdirSync(join(dir, folder)).sort())
      files[`${folder}/${file}`] = readFileSync(join(dir, folder, file), 'utf8');
  }
  return files;
}

describe.each(DRIVERS)('squash (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), {
      ...THREE,
      '002_create_posts': {
        up: `${THREE['002_create_posts']?.up ?? ''}INSERT INTO users (email) VALUES ('o''brien@example.com');\nINSERT INTO posts (user_id, title) VALUES (1, NULL);\n`,
        down: 'DROP TABLE posts;\n',
        meta: 'dependencies: ["001"]\n',
      },
    });
    const run = (...args: string[]) => box.run(['--driver', driver, ...args]);
    return { box, run, dir: box.path('migrations') };
  };

  it('prints the squash with --dry-run and writes nothing', () => {
    const { run, dir } = setup();
    const before = tree(dir);
    const result = run('squash', '--to', '002', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Would write 002_squashed, replacing 001_create_users, 002_create_posts:\n');
    expect(result.stdout).toContain(`INSERT INTO "users" ("id", "email") VALUES (1, 'o''brien@example.com');`);
    expect(result.stdout).toContain('--- 002_squashed/down.sql\nDROP TABLE "posts";\nDROP TABLE "users";\n');
    expect(tree(dir)).toEqual(before);
    const json = JSON.parse(run('squash', '--to', '002', '--dry-run', '--json').stdout) as { files: Record<string, string> };
    expect(Object.keys(json.files)).toEqual(['up.sql', 'down.sql', 'meta.yaml']);
  });

  it('writes the squash beside the old folders; a database migrated before stays clean, a new one runs the squash', () => {
    const { box, run, dir } = setup();
    expect(run('--db', 'old.db', 'migrate').code).toBe(0);
    const result = run('squash', '--to', '002');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      'Wrote migrations/002_squashed (up.sql, down.sql, meta.yaml), replacing 001_create_users, 002_create_posts.\nThe replaced folders stay; remove them with --remove-replaced once every database has migrated past them.\n',
    );
    const meta = readFileSync(join(dir, '002_squashed', 'meta.yaml'), 'utf8');
    expect(meta).toMatch(
      /^description: "Squash of 001_create_users, 002_create_posts"\nreplaces:\n {2}- 001 [0-9a-f]{32}\n {2}- 002 [0-9a-f]{32}\n$/,
    );
    expect(run('--db', 'old.db', 'status').code).toBe(0);
    expect(run('--db', 'old.db', 'migrate').stdout).toContain('Nothing to migrate');
    expect(run('--db', 'new.db', 'migrate', '--json').stdout).toContain('"version": "002"');
    expect(inspectDb(box.path('new.db')).history.map((row) => row.version)).toEqual(['002', '003']);

    // The squash exists now: a second one is refused, and the folder is left as it is.
    const before = tree(dir);
    const again = run('squash', '--to', '002');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('SQUASH_REFUSED: cannot squash: the folder 002_squashed exists already; nothing was written');
    expect(tree(dir)).toEqual(before);
  });

  it('removes the replaced folders with --remove-replaced; old and new databases migrate past them', () => {
    const { box, run, dir } = setup();
    expect(run('--db', 'old.db', 'migrate').code).toBe(0);
    const result = run('squash', '--to', '002', '--remove-replaced', '--json');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      removed: [join(dir, '001_create_users'), join(dir, '002_create_posts')],
    });
    expect(readdirSync(dir).sort()).toEqual(['002_squashed', '003_index_emails']);
    writeMigrations(dir, {
      '004_titles': {
        up: 'CREATE INDEX idx_posts_title ON posts (title);\n',
        down: 'DROP INDEX idx_posts_title;\n',
        meta: 'dependencies: ["002"]\n',
      },
    });
    for (const db of ['old.db', 'new.db']) {
      expect(run('--db', db, 'migrate').code).toBe(0);
      expect(run('--db', db, 'status').code).toBe(0);
      expect(run('--db', db, 'rollback', '004').code).toBe(0);
      expect(inspectDb(box.path(db)).objects).not.toContain('index:idx_posts_title');
    }
  });

  it('refuses a database whose schema is not the squash, naming the difference', () => {
    const { box, run } = setup();
    expect(run('--db', 'old.db', 'migrate').code).toBe(0);
    execSql(box.path('old.db'), 'CREATE TABLE extra (id INTEGER);');
    expect(run('squash', '--to', '002', '--remove-replaced').code).toBe(0);
    const result = run('--db', 'old.db', 'migrate');
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('SQUASH_MISMATCH');
    expect(result.stderr).toContain('table extra added');
  });

  it('refuses, writing nothing, a migration outside a transaction and a version no migration has; --to is required', () => {
    const { run, dir } = setup();
    writeMigrations(dir, {
      '001_create_users': { ...THREE['001_create_users'], up: THREE['001_create_users']?.up ?? '', meta: 'transaction: false\n' },
    });
    const before = tree(dir);
    const outside = run('squash', '--to', '002', '--json');
    expect(outside.code).toBe(1);
    expect(JSON.parse(outside.stdout)).toMatchObject({
      error: { code: 'SQUASH_REFUSED', version: '001', file: '001_create_users/meta.yaml' },
    });
    const unknown = run('squash', '--to', '009');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('UNKNOWN_VERSION: no migration has version "009"');
    expect(run('squash').code).toBe(2);
    expect(tree(dir)).toEqual(before);
    expect(existsSync(join(dir, '002_squashed'))).toBe(false);
  });
});
