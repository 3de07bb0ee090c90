import { type MigrationSet, parseMigrationFiles } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { migration, writeTree } from './helpers.js';

const codes = (set: MigrationSet) => set.problems.map((p) => [p.code, p.file]);

describe('parseMigrationFiles', () => {
  it('reads folders, meta and checksums', () => {
    const set = parseMigrationFiles({
      '001_initial_schema/up.sql': 'CREATE TABLE a (id INTEGER);',
      '001_initial_schema/down.sql': 'DROP TABLE a;',
      '002_add_b/up.sql': 'CREATE TABLE b (id INTEGER);',
      '002_add_b/meta.yaml':
        'description: Adds b\ndependencies: ["001"]\ntransaction: false\ncreated_at: "2025-01-15T10:30:00Z"\n',
    });
    expect(set.problems).toEqual([]);
    expect(set.migrations.map((m) => [m.version, m.name, m.folder, m.down !== undefined])).toEqual([
      ['001', 'initial_schema', '001_initial_schema', true],
      ['002', 'add_b', '002_add_b', false],
    ]);
    expect(set.migrations[1]?.meta).toEqual({
      description: 'Adds b',
      dependencies: ['001'],
      transaction: false,
      createdAt: '2025-01-15T10:30:00Z',
    });
  });

  it('treats bundler keys, ./ prefixes and Windows separators as the same files', () => {
    const plain = parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;' });
    for (const key of ['/migrations/001_a/up.sql', './001_a/up.sql', 'migrations\\001_a\\up.sql']) {
      expect(parseMigrationFiles({ [key]: 'SELECT 1;' })).toEqual(plain);
    }
  });

  it('ignores files beside the folders and non-migration files inside them', () => {
    const set = parseMigrationFiles({ 'README.md': '# x', '001_a/up.sql': 'SELECT 1;', '001_a/notes.md': 'why' });
    expect(set.problems).toEqual([]);
    expect(set.migrations).toHaveLength(1);
  });

  it('reports every malformed folder and file at once, each naming its place', () => {
    const set = parseMigrationFiles({
      '01_too_short/up.sql': 'SELECT 1;',
      '004_CamelCase/up.sql': 'SELECT 1;',
      '005-dash/up.sql': 'SELECT 1;',
      '006_no_up/down.sql': 'SELECT 1;',
      '007_empty/up.sql': '  \n\t\n',
      '008_typo/up.sql': 'SELECT 1;',
      '008_typo/donw.sql': 'SELECT 1;',
      '009_yml/up.sql': 'SELECT 1;',
      '009_yml/meta.yml': 'description: x',
      '010_empty_down/up.sql': 'SELECT 1;',
      '010_empty_down/down.sql': '\n',
    });
    expect(codes(set)).toEqual([
      ['INVALID_MIGRATION', '004_CamelCase'],
      ['INVALID_MIGRATION', '005-dash'],
      ['INVALID_MIGRATION', '006_no_up/up.sql'],
      ['INVALID_MIGRATION', '007_empty/up.sql'],
      ['INVALID_MIGRATION', '008_typo/donw.sql'],
      ['INVALID_MIGRATION', '009_yml/meta.yml'],
      ['INVALID_MIGRATION', '01_too_short'],
    ]);
    expect(set.problems.map((p) => p.message)).toContain(
      'folder "01_too_short" is not a migration name: expected the version (at least three digits; dashes between groups of digits are dropped), an underscore, then a lower snake_case name (lower-case letters, digits and single underscores; it may start with a digit), such as 001_create_users or 2024-03-13-170000_create_users (version 20240313170000)',
    );
    expect(set.problems.map((p) => p.message)).toContain(
      '006_no_up has no up.sql: write the SQL this migration runs in 006_no_up/up.sql, or delete the folder',
    );
    expect(set.problems.map((p) => p.message)).toContain('007_empty/up.sql is empty');
    // An empty down.sql is no problem: it makes 010 irreversible.
    expect(set.migrations.map((m) => m.folder)).toEqual(['010_empty_down']);
  });

  it('reads "replaces", the versions a squashed migration stands for with their checksums, and checks it', () => {
    const sum = 'ABCDEF0123456789abcdef0123456789';
    const set = parseMigrationFiles({
      '002_squashed/up.sql': 'SELECT 1;',
      '002_squashed/meta.yaml': `replaces:\n  - 001 ${sum}\n  - "002 ${sum}"\n`,
    });
    expect(set.problems).toEqual([]);
    expect(set.migrations[0]?.meta.replaces).toEqual([
      { version: '001', checksum: sum.toLowerCase() },
      { version: '002', checksum: sum.toLowerCase() },
    ]);
    const meta = (text: string) =>
      parseMigrationFiles({ '002_s/up.sql': 'SELECT 1;', '002_s/meta.yaml': text }).problems.map((p) => p.message);
    expect(meta('replaces: ["001"]\n')).toEqual([
      '002_s/meta.yaml: "replaces" entry "001" is not a version and an MD5 checksum, such as "001 5d41402abc4b2a76b9719d911017c592"',
    ]);
    expect(meta('replaces: []\n')).toEqual([
      '002_s/meta.yaml: "replaces" must be a list of the migrations a squashed migration stands for, each "version checksum", such as "001 5d41402abc4b2a76b9719d911017c592"',
    ]);
  });

  it('checks meta.yaml strictly', () => {
    // With the yaml package, so that the texts beyond the simple form (a float, a top-level list, a repeated key, an
    // alias, a syntax error) are read as before; without it they are refused as needing it (meta-yaml.test.ts).
    const meta = (text: string) =>
      parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': text }, { yaml }).problems.map((p) => p.message);
    expect(meta('')).toEqual([]);
    expect(meta('# only a comment\n')).toEqual([]);
    expect(meta('descripton: typo\n')).toEqual([
      '001_a/meta.yaml: unknown key "descripton" (allowed: description, dependencies, transaction, foreign_keys, created_at, replaces, phase)',
    ]);
    expect(meta('transaction: "no"\n')).toEqual(['001_a/meta.yaml: "transaction" must be true or false']);
    expect(meta('transaction: yes\n')).toEqual(['001_a/meta.yaml: "transaction" must be true or false']);
    expect(meta('description: 3\n')).toEqual(['001_a/meta.yaml: "description" must be a string']);
    expect(meta('dependencies: "001"\n')).toEqual([
      '001_a/meta.yaml: "dependencies" must be a list of versions, such as ["001", "002"]',
    ]);
    expect(meta('dependencies: [abc, 1.5]\n')).toEqual([
      '001_a/meta.yaml: dependency "abc" is not a version (digits, such as "001")',
      '001_a/meta.yaml: dependency 1.5 is not a version (digits, such as "001")',
    ]);
    expect(meta('created_at: yesterday\n')).toEqual([
      '001_a/meta.yaml: "created_at" must be an ISO 8601 date or date-time, such as 2025-01-15T10:30:00Z',
    ]);
    expect(meta('- a\n- b\n')).toEqual(['001_a/meta.yaml must be a mapping of keys to values']);
    expect(meta('description: a\ndescription: b\n')).toEqual([
      '001_a/meta.yaml is not valid YAML at line 2, column 1: Map keys must be unique',
    ]);
    expect(meta('a: *x\n')[0]).toMatch(/^001_a\/meta\.yaml could not be read: /);
    expect(meta('description: [unclosed\n')[0]).toMatch(/^001_a\/meta\.yaml is not valid YAML/);
  });

  it('names a number that cannot be read as written, with its key and its text, with either YAML reader', () => {
    const inexact = (key: string, text: string) =>
      `001_a/meta.yaml: "${key}" holds ${text}, a number too large to be read exactly as written${key === 'dependencies' ? '; write versions in quotes, such as "001"' : ''}`;
    for (const options of [{}, { yaml }]) {
      const meta = (text: string) =>
        parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': text }, options).problems.map((p) => [
          p.code,
          p.message,
        ]);
      expect(meta('dependencies: [1e400]\n')).toEqual([['INVALID_META', inexact('dependencies', '1e400')]]);
      expect(meta('dependencies:\n  - "001"\n  - 99999999999999999999\n')).toEqual([
        ['INVALID_META', inexact('dependencies', '99999999999999999999')],
      ]);
      expect(meta('transaction: +1.5E+400\ndescription: 0x1FFFFFFFFFFFFFFFFF\n')).toEqual([
        ['INVALID_META', inexact('transaction', '+1.5E+400')],
        ['INVALID_META', inexact('description', '0x1FFFFFFFFFFFFFFFFF')],
      ]);
    }
    const withYaml = (text: string) =>
      parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': text }, { yaml }).problems.map((p) => p.message);
    expect(withYaml('x: &n -1e400\ndependencies: [*n, .inf]\n')).toEqual([
      '001_a/meta.yaml: unknown key "x" (allowed: description, dependencies, transaction, foreign_keys, created_at, replaces, phase)',
      inexact('x', '-1e400'),
      inexact('dependencies', '-1e400'),
    ]);
    expect(withYaml('dependencies: [.inf, .nan]\n')).toEqual([
      '001_a/meta.yaml: dependency Infinity is not a version (digits, such as "001")',
      '001_a/meta.yaml: dependency NaN is not a version (digits, such as "001")',
    ]);
  });

  it('accepts dependencies written as YAML numbers', () => {
    const set = parseMigrationFiles({
      '001_a/up.sql': 'SELECT 1;',
      '002_b/up.sql': 'SELECT 1;',
      '002_b/meta.yaml': 'dependencies:\n  - 001\n',
    });
    expect(set.migrations[1]?.meta.dependencies).toEqual(['1']);
  });
});

describe('loadMigrationsFolder', () => {
  it('gives exactly what the map loader gives for the same files', async () => {
    const files = {
      ...migration('001_a'),
      ...migration('002_b', ['001']),
      '002_b/meta.yaml': 'description: b\ndependencies: ["001"]\n',
      '003_bad name/up.sql': 'SELECT 1;',
      'README.md': 'not a migration',
    };
    const dir = writeTree(files);
    expect(await loadMigrationsFolder(dir)).toEqual(parseMigrationFiles(files));
  });

  it('reads files of every size whole, each on its own, the one before a large one included', async () => {
    // The loader reads into one buffer of 64 KiB that grows for a larger file and is let go above 1 MiB.
    const ofBytes = (bytes: number, index: number) => {
      const head = `INSERT INTO t VALUES (${index}, 'é');\n-- `;
      return `${head}${'x'.repeat(bytes - Buffer.byteLength(head))}`;
    };
    const sizes = [100, 65_535, 65_536, 65_537, 131_072, 300_000, 1_500_000, 40];
    const files: Record<string, string> = {};
    sizes.forEach((size, index) => {
      files[`${String(index + 1).padStart(3, '0')}_m/up.sql`] = ofBytes(size, index);
    });
    const set = await loadMigrationsFolder(writeTree(files));
    expect(set.problems).toEqual([]);
    expect(set.migrations.map((m) => Buffer.byteLength(m.up))).toEqual(sizes);
    expect(set.migrations.map((m) => m.up)).toEqual(Object.values(files));
  });

  it('names a folder that does not exist', async () => {
    await expect(loadMigrationsFolder('/no/such/folder')).rejects.toMatchObject({
      code: 'INVALID_OPTION',
      message: 'migrations folder /no/such/folder does not exist or is not a folder',
    });
  });
});
