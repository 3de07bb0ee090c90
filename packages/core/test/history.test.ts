import {
  type AppliedMigration,
  checkSet,
  legacyChecksums,
  parseMigrationFiles,
  planBaseline,
  planMigrate,
  planRepair,
  planRollback,
  sameChecksum,
  VersionSet,
} from '@strata/core';
import { describe, expect, it } from 'vitest';
import { checkHistory } from '../src/validate/history.js';
import { migration } from './helpers.js';

// The folders spell their versions with four digits; the history rows below, written before a rename or by another
// tool, with three.
const checked = checkSet(parseMigrationFiles({ ...migration('0001_a'), ...migration('0002_b', ['1']), ...migration('0003_c') }));
const checksum = (version: string) => checked.byVersion.get(version)?.checksum ?? '';
const row = (version: string, value: string, appliedAt = '2025-01-15 10:30:00'): AppliedMigration => ({
  version,
  name: 'x',
  appliedAt,
  checksum: value,
});

describe('VersionSet', () => {
  it('matches versions by number and remembers how each number was spelled', () => {
    const set = new VersionSet(['001', '0001', '10']);
    expect([set.has('1'), set.has('00001'), set.has('010'), set.has('100'), set.has('0')]).toEqual([
      true,
      true,
      true,
      false,
      false,
    ]);
    expect(set.spellings('01')).toEqual(['001', '0001']);
    set.delete('0000001');
    expect([set.has('001'), set.spellings('001')]).toEqual([false, []]);
    expect(new VersionSet(['000']).has('0')).toBe(true);
  });

  it('keeps versions that are not digits apart, as another tool may have written them', () => {
    const set = new VersionSet(['0abc', '20250115_init']);
    expect([set.has('abc'), set.has('0abc'), set.has('20250115_init')]).toEqual([false, true, true]);
  });
});

describe('history rows are matched to migrations by version number', () => {
  const history = [row('001', checksum('0001')), row('002', checksum('0002'))];

  it('finds no problem when rows and folders spell versions differently', () => {
    expect(checkHistory(checked.byVersion, history)).toEqual([]);
  });

  it('plans nothing twice, and rolls back what is recorded under another spelling', () => {
    const applied = history.map((r) => r.version);
    expect(planMigrate(checked.order, applied).map((m) => m.version)).toEqual(['0003']);
    expect(planRollback(checked.order, applied, '0002').map((m) => m.version)).toEqual(['0002']);
    expect(() => planRollback(checked.order, applied, '0001')).toThrow(
      expect.objectContaining({ code: 'DEPENDENTS_APPLIED', version: '0001' }),
    );
    expect(() => planRollback(checked.order, applied, '3')).toThrow(expect.objectContaining({ code: 'NOT_APPLIED' }));
  });

  it('repairs and baselines the recorded row, naming the migration as its folder spells it', () => {
    const edited = [row('001', 'f'.repeat(32)), row('002', checksum('0002'))];
    expect(planRepair(checked, edited, '1').changes.map((c) => [c.version, c.oldChecksum])).toEqual([['0001', 'f'.repeat(32)]]);
    expect(planBaseline(checked, history, '0002')).toMatchObject({
      marked: [],
      alreadyApplied: [{ version: '0001' }, { version: '0002' }],
    });
  });
});

describe('checksums are compared without regard to case', () => {
  it('in the history, in repair and in baseline', () => {
    const upper = [row('0001', checksum('0001').toUpperCase())];
    expect(sameChecksum('A1B2', 'a1b2')).toBe(true);
    expect(sameChecksum('a1b2', 'a1b3')).toBe(false);
    expect(checkHistory(checked.byVersion, upper)).toEqual([]);
    expect(planRepair(checked, upper)).toEqual({ changes: [], skipped: [], duplicates: [] });
    expect(planBaseline(checked, upper, '0001').alreadyApplied.map((m) => m.version)).toEqual(['0001']);
  });

  it('and an upper-case checksum of other line endings is still told apart from an edit', () => {
    const up = checked.byVersion.get('0001')?.up ?? '';
    const crlf = legacyChecksums(up).find((c) => c !== checksum('0001')) ?? '';
    const plan = planRepair(checked, [row('0001', crlf.toUpperCase())]);
    expect(plan.changes.map((c) => c.difference)).toEqual(['line-endings']);
    expect(checkHistory(checked.byVersion, [row('0001', crlf.toUpperCase())])[0]?.message).toMatch(/older tools hashed it/);
  });
});

describe('a version recorded in more than one row', () => {
  const duplicated = [
    row('001', checksum('0001'), '2025-01-15 10:30:00'),
    row('003', checksum('0003'), '2025-01-15 10:30:00'),
    row('0001', checksum('0001'), '2025-01-16 09:00:00'),
    row('1', 'f'.repeat(32), '2025-01-17 09:00:00'),
    row('007', 'e'.repeat(32), '2025-01-18 09:00:00'),
    row('07', 'e'.repeat(32), '2025-01-19 09:00:00'),
  ];

  it('is one DUPLICATE_HISTORY problem per version, naming every row; only the oldest is checked further', () => {
    const problems = checkHistory(checked.byVersion, duplicated);
    expect(problems.map((p) => [p.code, p.version])).toEqual([
      ['DUPLICATE_HISTORY', '0001'],
      ['DUPLICATE_HISTORY', '007'],
      ['APPLIED_MISSING', '007'],
    ]);
    expect(problems[0]?.message).toBe(
      'the history records migration 0001 (a) in 3 rows: 001 applied 2025-01-15 10:30:00, 0001 applied 2025-01-16 09:00:00, 1 applied 2025-01-17 09:00:00; repair keeps the oldest and removes the others',
    );
    expect(checkHistory(checked.byVersion, duplicated, true).map((p) => p.code)).toEqual([
      'DUPLICATE_HISTORY',
      'DUPLICATE_HISTORY',
    ]);
  });

  it('is removed by repair, which keeps the oldest row of each version; naming a version, only its own', () => {
    const [first, , second, fourth, missing, again] = duplicated;
    expect(planRepair(checked, duplicated).duplicates).toEqual([
      { kept: first, removed: [second, fourth] },
      { kept: missing, removed: [again] },
    ]);
    expect(planRepair(checked, duplicated, '3').duplicates).toEqual([]);
    expect(planRepair(checked, duplicated, '1').duplicates).toEqual([{ kept: first, removed: [second, fourth] }]);
  });
});
