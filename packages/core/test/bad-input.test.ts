import { createHash } from 'node:crypto';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type AppliedMigration,
  checkSet,
  checkStatements,
  checksumOf,
  type Driver,
  legacyChecksums,
  MigrationManager,
  parseMigrationFiles,
  planBaseline,
  planRepair,
  type StrataError,
  ValidationError,
} from '@strata/core';
import { loadMigrationsFolder, readMigrationsFolder } from '@strata/core/node';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { firstInvalidByte } from '../src/node/utf8.js';
import { migration, tempDir, writeTree } from './helpers.js';

const problemsOf = (set: { problems: readonly StrataError[] }) => set.problems.map((p) => [p.code, p.file, p.version]);

describe('the folder loader and bytes that are not UTF-8', () => {
  it('refuses a file that is not UTF-8, naming it and the offset of the first bad byte, and leaves its folder out', async () => {
    const dir = writeTree({ ...migration('001_a'), ...migration('002_b') });
    writeFileSync(join(dir, '002_b', 'up.sql'), Buffer.from([0x53, 0x45, 0x4c, 0x45, 0x43, 0x54, 0x20, 0x27, 0xe9, 0x27, 0x3b]));
    const set = await loadMigrationsFolder(dir);
    expect(problemsOf(set)).toEqual([['INVALID_MIGRATION', '002_b/up.sql', '002']]);
    expect(set.problems[0]?.message).toBe(
      '002_b/up.sql is not UTF-8: the byte at offset 8 (0xe9) does not start a valid character; save the file as UTF-8',
    );
    expect(set.migrations.map((m) => m.version)).toEqual(['001']);
    await expect(readMigrationsFolder(dir)).rejects.toBeInstanceOf(ValidationError);
  });

  it('names every file that is not UTF-8, in any file of the folder; a down.sql when it is first needed', async () => {
    const dir = writeTree({ ...migration('001_a'), ...migration('002_b', ['001']) });
    writeFileSync(join(dir, '001_a', 'down.sql'), Buffer.from([0xc0, 0x80]));
    writeFileSync(join(dir, '002_b', 'meta.yaml'), Buffer.from('description: "\xed\xa0\x80"\n', 'latin1'));
    const set = await loadMigrationsFolder(dir);
    expect(problemsOf(set)).toEqual([['INVALID_MIGRATION', '002_b/meta.yaml', '002']]);
    expect(set.problems[0]?.message).toContain('offset 14 (0xed)');
    // Only a rollback runs a down.sql: it is read, and refused, when something needs it.
    const [first] = set.migrations;
    if (first === undefined) throw new Error('001 was not loaded');
    const problems = checkStatements(first, 'down');
    expect(problemsOf({ problems })).toEqual([['INVALID_MIGRATION', '001_a/down.sql', '001']]);
    expect(problems[0]?.message).toBe(
      '001_a/down.sql is not UTF-8: the byte at offset 0 (0xc0) does not start a valid character; save the file as UTF-8',
    );
    expect(checkStatements(first, 'up')).toEqual([]);
    expect(() => first.down).toThrow(ValidationError);
    await expect(readMigrationsFolder(dir)).rejects.toMatchObject({
      problems: [{ file: '001_a/down.sql' }, { file: '002_b/meta.yaml' }],
    });
  });

  it('reads a down.sql when first needed, checks it then, and keeps what it read', async () => {
    const dir = writeTree({ ...migration('001_a'), ...migration('002_b', ['1']) });
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    // Loading read no down.sql: what is written now is what a rollback would run.
    writeFileSync(join(dir, '001_a', 'down.sql'), '-- nothing to undo\n');
    writeFileSync(join(dir, '002_b', 'down.sql'), 'DROP TABLE b2;\n');
    // 002 depends on "1": the checked set holds a copy that spells it 001, and that copy reads lazily too.
    const checked = checkSet(set);
    // A down.sql of comments is no problem: it makes 001 irreversible, which only a rollback of it refuses.
    expect(checked.problems).toEqual([]);
    expect(checked.order[0]?.down).toBe('-- nothing to undo\n');
    const second = checked.order.find((m) => m.version === '002');
    expect(second?.meta.dependencies).toEqual(['001']);
    expect(second?.down).toBe('DROP TABLE b2;\n');
    writeFileSync(join(dir, '002_b', 'down.sql'), 'DROP TABLE changed;\n');
    expect(second?.down).toBe('DROP TABLE b2;\n');
  });

  it('reads the down.sql of a folder it leaves out for its up.sql, to name both', async () => {
    const dir = writeTree({ '001_a/up.sql': '-- todo\n', '001_a/down.sql': 'DROP TABLE a;\0' });
    const set = await loadMigrationsFolder(dir);
    expect(set.problems.map((p) => p.message)).toEqual([
      '001_a/up.sql has no SQL statements, only comments: write the SQL this migration runs',
      expect.stringMatching(/^001_a\/down\.sql:1:14: the file holds a NUL byte/),
    ]);
  });

  it('reads a replacement character written in the file as text, and one beside a bad byte as not UTF-8', async () => {
    const dir = writeTree({ ...migration('001_a'), '002_b/up.sql': "INSERT INTO t VALUES ('\ufffd');\n" });
    writeFileSync(join(dir, '001_a', 'down.sql'), Buffer.from([...Buffer.from('SELECT 1; -- \ufffd'), 0xff]));
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    expect(set.migrations.map((m) => m.up)).toEqual([
      'CREATE TABLE a (id INTEGER PRIMARY KEY);\n',
      "INSERT INTO t VALUES ('\ufffd');\n",
    ]);
    const problems = set.migrations.flatMap((m) => checkStatements(m, 'down'));
    expect(problemsOf({ problems })).toEqual([['INVALID_MIGRATION', '001_a/down.sql', '001']]);
    expect(problems[0]?.message).toContain('offset 16 (0xff)');
  });

  it('keeps a byte-order mark, which the checksum ignores', async () => {
    const dir = writeTree({ '001_a/up.sql': '\ufeffCREATE TABLE a (id INTEGER);\r\n' });
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    expect(set.migrations[0]?.up.charCodeAt(0)).toBe(0xfeff);
    expect(set.migrations[0]?.checksum).toBe(checksumOf('CREATE TABLE a (id INTEGER);\n'));
    expect(await readMigrationsFolder(dir)).toEqual({ '001_a/up.sql': '\ufeffCREATE TABLE a (id INTEGER);\r\n' });
  });

  it('finds the first bad byte exactly where a strict decoder stops', () => {
    const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
    const decodes = (bytes: Uint8Array) => {
      try {
        strict.decode(bytes);
        return true;
      } catch {
        return false;
      }
    };
    // Mostly text, with the bytes that make UTF-8 hard: continuations, overlong leads, surrogates, the top of the range.
    const byte = fc.oneof(
      fc.integer({ min: 0x20, max: 0x7e }),
      fc.constantFrom(0x80, 0x8f, 0x90, 0x9f, 0xa0, 0xbf, 0xc0, 0xc1, 0xc2, 0xdf, 0xe0, 0xed, 0xef, 0xf0, 0xf4, 0xf5, 0xff),
    );
    const text = fc.string({ unit: 'binary', maxLength: 8 }).map((s) => [...new TextEncoder().encode(s)]);
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            byte.map((b) => [b]),
            text,
          ),
          { maxLength: 12 },
        ),
        (chunks) => {
          const bytes = Uint8Array.from(chunks.flat());
          const offset = firstInvalidByte(bytes);
          expect(offset === bytes.length).toBe(decodes(bytes));
          expect(decodes(bytes.subarray(0, offset))).toBe(true);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('a NUL byte, at which SQLite would stop reading a script', () => {
  const nul = (file: string, line: number, column: number) =>
    `${file}:${line}:${column}: the file holds a NUL byte, which no migration file may hold (SQLite stops reading a script at one, so what follows would silently never run); remove it`;
  const located = (problems: readonly StrataError[]) => problems.map((p) => [p.code, p.file, p.version, p.line, p.column]);

  it('is refused in up.sql, down.sql and meta.yaml of a map, naming the file, line and column; the folder is left out', () => {
    const set = parseMigrationFiles({
      ...migration('001_a'),
      '002_b/up.sql': '\ufeffCREATE TABLE b (id INTEGER);\r\nINSERT INTO b VALUES (1);\0\r\nDROP TABLE a;\r\n',
      '003_c/up.sql': 'CREATE TABLE c (id INTEGER);\n',
      '003_c/down.sql': 'DROP TABLE c; -- ✓ \0 removed\n',
      '004_d/up.sql': 'CREATE TABLE d (id INTEGER);\n',
      '004_d/meta.yaml': 'description: "tags"\ndependencies: ["001"]\0\n',
    });
    expect(set.migrations.map((m) => m.version)).toEqual(['001']);
    expect(located(set.problems)).toEqual([
      ['INVALID_MIGRATION', '002_b/up.sql', '002', 2, 26],
      ['INVALID_MIGRATION', '003_c/down.sql', '003', 1, 20],
      ['INVALID_MIGRATION', '004_d/meta.yaml', '004', 2, 22],
    ]);
    expect(set.problems.map((p) => p.message)).toEqual([
      nul('002_b/up.sql', 2, 26),
      nul('003_c/down.sql', 1, 20),
      nul('004_d/meta.yaml', 2, 22),
    ]);
  });

  it('in a down.sql read when first needed is found where its other problems are: validate, and a run that needs it', async () => {
    const dir = writeTree({ ...migration('001_a'), ...migration('002_b') });
    writeFileSync(join(dir, '002_b', 'down.sql'), 'DROP TABLE b;\n\0DROP TABLE a;\n');
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    const second = set.migrations[1];
    if (second === undefined) throw new Error('002 was not loaded');
    expect(checkStatements(second, 'up')).toEqual([]);
    expect(located(checkStatements(second, 'down'))).toEqual([['INVALID_MIGRATION', '002_b/down.sql', '002', 2, 1]]);
    expect(located(checkSet(set).problems)).toEqual([['INVALID_MIGRATION', '002_b/down.sql', '002', 2, 1]]);
    expect(() => second.down).toThrow(ValidationError);
  });

  it('is refused in a migration defined in code, before anything runs', async () => {
    // A database without a history table, on which nothing may run.
    const untouched = () => Promise.reject(new Error('nothing may run'));
    const driver: Driver = {
      name: 'empty',
      query: async () => [],
      exec: untouched,
      run: untouched,
      inTransaction: () => false,
      close: async () => {},
    };
    const manager = new MigrationManager({ driver });
    manager.registerMigration({ version: '001', name: 'a', up: 'CREATE TABLE a (id INTEGER);\0DROP TABLE users;' });
    manager.registerMigration({ version: '002', name: 'b', up: 'SELECT 1;', down: '\0' });
    expect(manager.migrations()).toEqual([]);
    await expect(manager.migrate()).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
      problems: [
        { code: 'INVALID_MIGRATION', file: '001_a (up, defined in code)', line: 1, column: 29 },
        { code: 'INVALID_MIGRATION', file: '002_b (down, defined in code)', line: 1, column: 1 },
      ],
    });
  });
});

describe('the folder loader and symbolic links', () => {
  const outside = () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'shared.sql'), 'CREATE TABLE shared (id INTEGER);\n');
    mkdirSync(join(dir, '003_elsewhere'));
    writeFileSync(join(dir, '003_elsewhere', 'up.sql'), 'CREATE TABLE elsewhere (id INTEGER);\n');
    return dir;
  };

  it('refuses a migration folder or file that links out of the migrations folder, and a link to nothing', async () => {
    const away = outside();
    const dir = writeTree({ ...migration('001_a'), '002_b/down.sql': 'DROP TABLE shared;\n' });
    symlinkSync(join(away, 'shared.sql'), join(dir, '002_b', 'up.sql'));
    symlinkSync(join(away, '003_elsewhere'), join(dir, '003_elsewhere'));
    symlinkSync(join(dir, 'nowhere'), join(dir, '004_gone'));
    const set = await loadMigrationsFolder(dir);
    expect(problemsOf(set)).toEqual([
      ['INVALID_MIGRATION', '002_b/up.sql', '002'],
      ['INVALID_MIGRATION', '003_elsewhere', '003'],
      ['INVALID_MIGRATION', '004_gone', '004'],
    ]);
    expect(set.problems[0]?.message).toMatch(
      /^002_b\/up\.sql is a symbolic link to .*shared\.sql, outside the migrations folder; links out of it are not followed/,
    );
    expect(set.problems[2]?.message).toBe('004_gone is a symbolic link to something that does not exist');
    expect(set.migrations.map((m) => m.version)).toEqual(['001']);
  });

  it('follows links that stay inside the migrations folder, and ignores links beside the folders that are never read', async () => {
    const away = outside();
    const dir = writeTree({ ...migration('001_a'), '.shared/common.sql': 'CREATE TABLE common (id INTEGER);\n' });
    mkdirSync(join(dir, '002_b'));
    symlinkSync(join('..', '.shared', 'common.sql'), join(dir, '002_b', 'up.sql'));
    symlinkSync('001_a', join(dir, '003_alias'));
    symlinkSync(join(away, 'shared.sql'), join(dir, 'README.sql'));
    const set = await loadMigrationsFolder(dir);
    expect(set.problems).toEqual([]);
    expect(set.migrations.map((m) => [m.folder, m.up])).toEqual([
      ['001_a', 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n'],
      ['002_b', 'CREATE TABLE common (id INTEGER);\n'],
      ['003_alias', 'CREATE TABLE a (id INTEGER PRIMARY KEY);\n'],
    ]);
  });

  it('reads a migrations folder that is itself reached through a link', async () => {
    const dir = writeTree(migration('001_a'));
    const link = join(tempDir(), 'migrations');
    symlinkSync(dir, link);
    expect(await loadMigrationsFolder(link)).toEqual(await loadMigrationsFolder(dir));
  });
});

describe('meta.yaml built to expand', () => {
  it('is refused at once with INVALID_META naming the file', () => {
    const lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'];
    const names = 'abcdefghijkl';
    for (let i = 1; i < names.length; i++) {
      lines.push(`${names[i]}: &${names[i]} [${Array.from({ length: 10 }, () => `*${names[i - 1]}`).join(', ')}]`);
    }
    const files = { '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': `${lines.join('\n')}\n` };
    const started = performance.now();
    // With the yaml package, whose alias limit refuses it; without, aliases are refused as needing the package.
    const set = parseMigrationFiles(files, { yaml });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(problemsOf(set)).toEqual([['INVALID_META', '001_a/meta.yaml', '001']]);
    expect(set.problems[0]?.message).toMatch(/^001_a\/meta\.yaml could not be read: /);
    expect(problemsOf(parseMigrationFiles(files))).toEqual([['INVALID_META', '001_a/meta.yaml', '001']]);
  });
});

describe('repair and baseline refuse what they cannot do', () => {
  const checked = checkSet(
    parseMigrationFiles({
      ...migration('001_a'),
      ...migration('002_b', ['001']),
      ...migration('003_c', ['002']),
      ...migration('004_d'),
    }),
  );
  const row = (version: string, checksum: string): AppliedMigration => ({
    version,
    name: checked.byVersion.get(version)?.name ?? 'gone',
    appliedAt: '2025-01-15 10:30:00',
    checksum,
  });
  const current = (version: string) => checked.byVersion.get(version)?.checksum ?? '';
  const up = (version: string) => checked.byVersion.get(version)?.up ?? '';

  it('repair: UNKNOWN_VERSION for a version no migration has, NOT_APPLIED for one not applied', () => {
    expect(() => planRepair(checked, [], '009')).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION', version: '009' }));
    expect(() => planRepair(checked, [], 'latest')).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION' }));
    expect(() => planRepair(checked, [row('001', current('001'))], '2')).toThrow(
      expect.objectContaining({ code: 'NOT_APPLIED', version: '002' }),
    );
  });

  it('repair: names the problems of the folder instead of calling an invalid migration unknown', () => {
    const broken = checkSet(parseMigrationFiles({ ...migration('001_a'), '002_b/up.sql': ' \n' }));
    expect(() => planRepair(broken, [], '002')).toThrow(expect.objectContaining({ code: 'INVALID_MIGRATION', version: '002' }));
  });

  it('repair: with a version, re-records an edit; without, only line endings and byte-order marks', () => {
    const crlf = legacyChecksums(up('001')).find((c) => c !== current('001')) ?? '';
    const applied = [row('001', crlf), row('002', 'edited0000000000000000000000000000'), row('003', current('003'))];
    expect(planRepair(checked, applied)).toEqual({
      changes: [
        {
          version: '001',
          name: 'a',
          folder: '001_a',
          oldChecksum: crlf,
          newChecksum: current('001'),
          difference: 'line-endings',
        },
      ],
      skipped: [
        {
          version: '002',
          name: 'b',
          folder: '002_b',
          oldChecksum: 'edited0000000000000000000000000000',
          newChecksum: current('002'),
          difference: 'edited',
        },
      ],
      duplicates: [],
    });
    expect(planRepair(checked, applied, '002').changes.map((c) => [c.version, c.difference])).toEqual([['002', 'edited']]);
    expect(planRepair(checked, applied, '003')).toEqual({ changes: [], skipped: [], duplicates: [] });
  });

  it('legacy checksums are those of the same text with a BOM or other line endings', () => {
    const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
    const candidates = legacyChecksums('SELECT 1;\nSELECT 2;\n');
    for (const text of ['SELECT 1;\r\nSELECT 2;\r\n', '\ufeffSELECT 1;\nSELECT 2;\n', '\ufeffSELECT 1;\r\nSELECT 2;\r\n']) {
      expect(candidates).toContain(md5(text));
      expect(legacyChecksums(text)).toEqual(expect.arrayContaining(candidates));
    }
    expect(candidates).toContain(checksumOf('SELECT 1;\nSELECT 2;\n'));
    expect(candidates).not.toContain(md5('SELECT 1;\nSELECT 3;\n'));
  });

  it('baseline: UNKNOWN_VERSION, every mismatch, and the problems of an invalid folder', () => {
    expect(() => planBaseline(checked, [], '009')).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION', version: '009' }));
    let thrown: unknown;
    try {
      planBaseline(checked, [row('001', 'x'.repeat(32)), row('002', 'y'.repeat(32))], '003');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ValidationError);
    expect((thrown as ValidationError).problems.map((p) => [p.code, p.version, p.file])).toEqual([
      ['CHECKSUM_MISMATCH', '001', '001_a/up.sql'],
      ['CHECKSUM_MISMATCH', '002', '002_b/up.sql'],
    ]);
    const invalid = checkSet(parseMigrationFiles({ ...migration('001_a'), ...migration('002_b', ['009']) }));
    expect(() => planBaseline(invalid, [], '001')).toThrow(expect.objectContaining({ code: 'MISSING_DEPENDENCY' }));
  });

  it('baseline: marks the version and everything it depends on, in run order, and leaves what is recorded', () => {
    expect(planBaseline(checked, [row('001', current('001'))], '003')).toEqual({
      version: '003',
      marked: [
        { version: '002', name: 'b', folder: '002_b', checksum: current('002') },
        { version: '003', name: 'c', folder: '003_c', checksum: current('003') },
      ],
      alreadyApplied: [{ version: '001', name: 'a', folder: '001_a', checksum: current('001') }],
    });
  });
});
