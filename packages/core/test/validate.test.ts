import { checkSet, parseMigrationFiles, planMigrate, planRollback } from '@strata/core';
import { describe, expect, it } from 'vitest';
import { migration } from './helpers.js';

const check = (...folders: Record<string, string>[]) => checkSet(parseMigrationFiles(Object.assign({}, ...folders)));
const versions = (...folders: Record<string, string>[]) => check(...folders).order.map((m) => m.version);

describe('order', () => {
  it('is version order when nothing depends on anything', () => {
    expect(versions(migration('010_c'), migration('002_b'), migration('001_a'))).toEqual(['001', '002', '010']);
  });

  it('puts dependencies first even when their number is higher', () => {
    expect(versions(migration('001_a', ['003']), migration('002_b'), migration('003_c'))).toEqual(['002', '003', '001']);
  });

  it('orders a diamond and breaks ties by version number', () => {
    const set = [
      migration('001_root'),
      migration('004_left', ['001']),
      migration('002_right', ['001']),
      migration('005_join', ['004', '002']),
      migration('003_free'),
    ];
    expect(versions(...set)).toEqual(['001', '002', '003', '004', '005']);
    expect(versions(...set.reverse())).toEqual(['001', '002', '003', '004', '005']);
  });

  it('matches dependencies by number, so 1 and 001 agree', () => {
    const checked = check(migration('001_a'), migration('002_b', ['1']));
    expect(checked.problems).toEqual([]);
    expect(checked.byVersion.get('002')?.meta.dependencies).toEqual(['001']);
  });
});

describe('checkSet', () => {
  it('reports duplicate versions, naming every folder', () => {
    const { problems, order } = check(migration('001_a'), migration('001_b'), migration('0001_c'), migration('002_d'));
    // Once for the version, naming every folder.
    expect(problems.map((p) => [p.code, p.file])).toEqual([['DUPLICATE_VERSION', '0001_c']]);
    expect(problems[0]?.message).toBe(
      '0001_c, 001_a, 001_b have the same version number; each version must be unique: renumber all but one',
    );
    expect(order.map((m) => m.version)).toEqual(['002']);
  });

  it('reports a dependency on a version that does not exist', () => {
    const { problems } = check(migration('001_a'), migration('002_b', ['001', '007']));
    expect(problems.map((p) => p.toJSON())).toEqual([
      {
        code: 'MISSING_DEPENDENCY',
        message: '002_b depends on 007, but no migration has that version',
        version: '002',
        file: '002_b/meta.yaml',
      },
    ]);
  });

  it('reports a cycle and prints it', () => {
    const { problems, order } = check(
      migration('001_a'),
      migration('002_b', ['004']),
      migration('003_c', ['002']),
      migration('004_d', ['003', '001']),
      migration('005_e', ['004']),
    );
    expect(problems.map((p) => [p.code, p.message, p.file])).toEqual([
      ['DEPENDENCY_CYCLE', 'dependency cycle: 002 → 004 → 003 → 002 (each depends on the next)', '002_b/meta.yaml'],
    ]);
    expect(order.map((m) => m.version)).toEqual(['001']);
  });

  it('reports a migration that depends on itself', () => {
    const { problems } = check(migration('001_a', ['001']));
    expect(problems.map((p) => p.message)).toEqual(['dependency cycle: 001 → 001 (each depends on the next)']);
  });

  it('reports every kind of problem in one pass', () => {
    const { problems } = checkSet(
      parseMigrationFiles({
        ...migration('001_a'),
        ...migration('001_b'),
        ...migration('002_c', ['009']),
        ...migration('003_d', ['004']),
        ...migration('004_e', ['003']),
        'bad/up.sql': 'SELECT 1;',
        '005_f/up.sql': '',
        '006_g/up.sql': 'SELECT 1;',
        '006_g/meta.yaml': 'nope: 1',
      }),
    );
    expect(problems.map((p) => p.code).sort()).toEqual([
      'DEPENDENCY_CYCLE',
      'DUPLICATE_VERSION',
      'INVALID_META',
      'INVALID_MIGRATION',
      'INVALID_MIGRATION',
      'MISSING_DEPENDENCY',
    ]);
  });
});

describe('plans', () => {
  const { order } = check(
    migration('001_a'),
    migration('002_b', ['001']),
    migration('003_c', ['002']),
    migration('004_d', ['001']),
  );

  it('migrates every pending migration, or up to a version', () => {
    const applied = new Set(['001']);
    expect(planMigrate(order, applied).map((m) => m.version)).toEqual(['002', '003', '004']);
    expect(planMigrate(order, applied, { to: '2' }).map((m) => m.version)).toEqual(['002']);
    expect(() => planMigrate(order, applied, { to: '042' })).toThrow(expect.objectContaining({ code: 'UNKNOWN_VERSION' }));
  });

  it('rolls back dependents first, newest first, only with cascade', () => {
    const applied = new Set(['001', '002', '003', '004']);
    expect(() => planRollback(order, applied, '001')).toThrow(
      expect.objectContaining({
        code: 'DEPENDENTS_APPLIED',
        message:
          'migration 001_a cannot be rolled back while 002_b, 003_c, 004_d depend on it; roll them back first or use cascade',
      }),
    );
    expect(planRollback(order, applied, '001', { cascade: true }).map((m) => m.version)).toEqual(['004', '003', '002', '001']);
    expect(planRollback(order, applied, '003').map((m) => m.version)).toEqual(['003']);
    expect(() => planRollback(order, new Set(['001']), '002')).toThrow(expect.objectContaining({ code: 'NOT_APPLIED' }));
  });

  it('rolls back the last applied, the last N, or everything after a version, newest first', () => {
    // Recorded oldest first; 004 was applied before 003.
    const applied = ['001', '002', '004', '003'];
    const plan = (target: Parameters<typeof planRollback>[2], cascade = false) =>
      planRollback(order, applied, target, { cascade }).map((m) => m.version);
    expect(plan({ steps: 1 })).toEqual(['003']);
    expect(plan({ steps: 2 })).toEqual(['004', '003']);
    expect(plan({ to: '002' })).toEqual(['004', '003']);
    expect(plan({ to: '001' })).toEqual(['004', '003', '002']);
    expect(plan({ version: '004' })).toEqual(['004']);
    // The last three are 002, 004 and 003; 003 depends on 002, so all go, dependents first.
    expect(plan({ steps: 3 })).toEqual(['004', '003', '002']);
    expect(() => plan({ steps: 5 })).toThrow(
      expect.objectContaining({ code: 'NOT_APPLIED', message: 'cannot roll back the last 5 migrations: only 4 are applied' }),
    );
    // 002 recorded last while 003, which depends on it, was recorded before it.
    expect(() => planRollback(order, ['001', '004', '003', '002'], { steps: 1 })).toThrow(
      expect.objectContaining({
        code: 'DEPENDENTS_APPLIED',
        message: 'migration 002_b cannot be rolled back while 003_c depends on it; roll it back first or use cascade',
      }),
    );
    expect(planRollback(order, ['001', '004', '003', '002'], { steps: 1 }, { cascade: true }).map((m) => m.version)).toEqual([
      '003',
      '002',
    ]);
  });
});

describe('checkSet', () => {
  const set = parseMigrationFiles({
    '001_a/up.sql': 'VACUUM;\n',
    '002_b/up.sql': 'CREATE TABLE b (id);\n',
    '002_b/meta.yaml': 'dependencies: ["9"]\n',
    'bad name/up.sql': 'SELECT 1;\n',
  });

  it('reports the loader, the statements, then the set as a whole, and leaves the statements out on request', () => {
    expect(checkSet(set).problems.map((p) => p.code)).toEqual(['INVALID_MIGRATION', 'UNSAFE_STATEMENT', 'MISSING_DEPENDENCY']);
    expect(checkSet(set, { statements: false }).problems.map((p) => p.code)).toEqual(['INVALID_MIGRATION', 'MISSING_DEPENDENCY']);
  });

  it('checks a set object once', () => {
    expect(checkSet(set, { statements: false })).toBe(checkSet(set, { statements: false }));
    expect(checkSet(set).order).toBe(checkSet(set, { statements: false }).order);
  });
});

describe('checkSet with a squashed migration', () => {
  const originals = { ...migration('001_a'), ...migration('002_b', ['001']), ...migration('003_c', ['001']) };
  const sums = parseMigrationFiles(originals).migrations.map((m) => `  - ${m.version} ${m.checksum}`);
  const squash = (entries: readonly string[]) => ({
    '002_squashed/up.sql': 'CREATE TABLE a (id INTEGER PRIMARY KEY);\nCREATE TABLE b (id INTEGER PRIMARY KEY);\n',
    '002_squashed/meta.yaml': `replaces:\n${entries.join('\n')}\n`,
  });

  it('shares the version of the migration it replaces, and stands for the originals in the order', () => {
    const checked = check(originals, squash(sums.slice(0, 2)));
    expect(checked.problems).toEqual([]);
    expect(checked.order.map((m) => m.folder)).toEqual(['002_squashed', '003_c']);
    // A dependency on a replaced version is one on the squash.
    expect(checked.byVersion.get('003')?.meta.dependencies).toEqual(['002']);
    expect(checked.squashes[0]?.originals.map((m) => m.folder)).toEqual(['001_a', '002_b']);
  });

  it('reports an original whose up.sql is not the one recorded, and a squash that does not list its own version', () => {
    const edited = { ...originals, '001_a/up.sql': 'CREATE TABLE a (id INTEGER);\n' };
    expect(check(edited, squash(sums.slice(0, 2))).problems.map((p) => [p.code, p.version, p.file])).toEqual([
      ['CHECKSUM_MISMATCH', '001', '001_a/up.sql'],
    ]);
    expect(check(originals, squash(sums.slice(0, 1))).problems.map((p) => [p.code, p.file])).toEqual([
      ['INVALID_META', '002_squashed/meta.yaml'],
      ['DUPLICATE_VERSION', '002_b'],
    ]);
  });
});
