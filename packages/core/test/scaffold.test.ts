import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkSet, StrataError, ValidationError } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { scaffoldMigration } from '@strata/core/node/operations';
import { describe, expect, it } from 'vitest';
import { migration, tempDir, writeTree } from './helpers.js';

const NOW = new Date('2025-01-22T09:00:00.123Z');

/** The error a rejected scaffold threw, with every problem's code. */
async function refusal(work: Promise<unknown>): Promise<{ codes: string[]; message: string }> {
  const error = await work.then(
    () => expect.fail('expected the scaffold to be refused'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StrataError);
  const problems = error instanceof ValidationError ? error.problems : [error as StrataError];
  return { codes: problems.map((p) => p.code), message: (error as Error).message };
}

describe('scaffoldMigration', () => {
  it('creates 001 with up.sql, down.sql and meta.yaml in a folder it creates, which validates once the SQL is written', async () => {
    const dir = join(tempDir(), 'migrations');
    const result = await scaffoldMigration(dir, 'create_users', { now: NOW });
    expect(result).toEqual({
      version: '001',
      name: 'create_users',
      folder: '001_create_users',
      path: join(dir, '001_create_users'),
      files: ['up.sql', 'down.sql', 'meta.yaml'].map((f) => join(dir, '001_create_users', f)),
    });
    expect(readFileSync(join(result.path, 'up.sql'), 'utf8')).toMatch(/^-- 001_create_users: up\n(-- .*\n)+$/);
    expect(readFileSync(join(result.path, 'down.sql'), 'utf8')).toContain('undoes up.sql exactly');
    expect(readFileSync(join(result.path, 'meta.yaml'), 'utf8')).toBe(
      'description: "Create users"\ncreated_at: "2025-01-22T09:00:00Z"\n',
    );
    // Untouched, the scaffold holds only comments, and the loader says up.sql still needs its SQL (a down.sql of
    // comments only makes the migration irreversible).
    const untouched = await loadMigrationsFolder(dir);
    expect(untouched.problems.map((p) => [p.code, p.file, p.message.split(':')[0]])).toEqual([
      ['INVALID_MIGRATION', '001_create_users/up.sql', '001_create_users/up.sql has no SQL statements, only comments'],
    ]);
    writeFileSync(join(result.path, 'up.sql'), 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n');
    writeFileSync(join(result.path, 'down.sql'), 'DROP TABLE users;\n');
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    expect(set.migrations[0]).toMatchObject({
      version: '001',
      name: 'create_users',
      meta: { description: 'Create users', dependencies: [], transaction: true, createdAt: '2025-01-22T09:00:00Z' },
    });
  });

  it('takes the highest version plus one, in the width the folder uses', async () => {
    const three = writeTree({ ...migration('001_a'), ...migration('007_b'), ...migration('003_c') });
    expect((await scaffoldMigration(three, 'd')).folder).toBe('008_d');
    const four = writeTree({ ...migration('0001_a'), ...migration('0009_b') });
    expect((await scaffoldMigration(four, 'c')).folder).toBe('0010_c');
    const full = writeTree(migration('999_a'));
    expect((await scaffoldMigration(full, 'b')).folder).toBe('1000_b');
  });

  it('counts folders that are otherwise invalid, and ignores files and unversioned folders', async () => {
    const dir = writeTree({ ...migration('001_a'), '005_Bad-Name/up.sql': 'SELECT 1;', 'notes/x.md': '', '009_file.sql': '' });
    expect((await scaffoldMigration(dir, 'b')).folder).toBe('006_b');
  });

  it.each([
    ['add user tags', 'add_user_tags'],
    ['add-user-tags', 'add_user_tags'],
    ['addUserTags', 'add_user_tags'],
    ['AddHTMLIndex', 'add_html_index'],
    ['  add   tags v2 ', 'add_tags_v2'],
    ['2fa codes', '2fa_codes'],
  ])('writes the name %j as %s', async (name, snake) => {
    expect((await scaffoldMigration(tempDir(), name)).name).toBe(snake);
  });

  it.each(['', 'tags!', '001_add_tags', '2024-03-13-170000_add_tags', 'café', '_tags', 'a/b'])(
    'refuses %j with INVALID_MIGRATION naming it, and writes nothing',
    async (name) => {
      const root = tempDir();
      const dir = join(root, 'migrations');
      const { codes, message } = await refusal(scaffoldMigration(dir, name));
      expect(codes).toEqual(['INVALID_MIGRATION']);
      expect(message).toContain(`"${name}"`);
      expect(readdirSync(root)).toEqual([]);
    },
  );

  it('refuses a name another migration has', async () => {
    const dir = writeTree(migration('001_add_tags'));
    const { codes, message } = await refusal(scaffoldMigration(dir, 'add tags'));
    expect(codes).toEqual(['INVALID_MIGRATION']);
    expect(message).toContain('001_add_tags');
    expect(readdirSync(dir)).toEqual(['001_add_tags']);
  });

  it('writes dependencies in the spelling of the folders, and the set orders them', async () => {
    const dir = writeTree({ ...migration('001_a'), ...migration('002_b') });
    const result = await scaffoldMigration(dir, 'c', { dependencies: ['2', '001', '002'], description: 'Says "why": here' });
    const meta = readFileSync(join(result.path, 'meta.yaml'), 'utf8');
    expect(meta).toMatch(/^description: "Says \\"why\\": here"\ndependencies: \["002", "001"\]\ncreated_at: "/);
    writeFileSync(join(result.path, 'up.sql'), 'CREATE TABLE c (id INTEGER PRIMARY KEY);\n');
    writeFileSync(join(result.path, 'down.sql'), 'DROP TABLE c;\n');
    const checked = checkSet(await loadMigrationsFolder(dir));
    expect(checked.problems).toEqual([]);
    expect(checked.order.at(-1)?.meta).toMatchObject({ dependencies: ['002', '001'], description: 'Says "why": here' });
  });

  it('refuses dependencies that do not exist or are not versions, reporting every problem', async () => {
    const dir = writeTree(migration('001_a'));
    const { codes, message } = await refusal(scaffoldMigration(dir, 'Bad Name!', { dependencies: ['004', 'latest'] }));
    expect(codes).toEqual(['INVALID_MIGRATION', 'MISSING_DEPENDENCY', 'INVALID_OPTION']);
    expect(message).toContain('"004"');
    expect(message).toContain('"latest"');
    expect(readdirSync(dir)).toEqual(['001_a']);
  });

  it('refuses a migrations folder that is a file', async () => {
    const root = tempDir();
    writeFileSync(join(root, 'migrations'), '');
    const { codes } = await refusal(scaffoldMigration(join(root, 'migrations'), 'a'));
    expect(codes).toEqual(['INVALID_OPTION']);
  });

  it('gives each of two scaffolds its own version', async () => {
    const dir = tempDir();
    await scaffoldMigration(dir, 'a');
    await scaffoldMigration(dir, 'b');
    expect(readdirSync(dir).sort()).toEqual(['001_a', '002_b']);
    expect(existsSync(join(dir, '002_b', 'meta.yaml'))).toBe(true);
  });
});
