import { collectStats, type Driver, type Row, type StatusReport, StrataError } from '@strata/core';
import { describe, expect, it } from 'vitest';

/** What the fake database answers; a function stands for a query that fails with its message. */
interface Answers {
  objects?: { type: string; name: string }[];
  counts?: Record<string, number | string>;
  pages?: { page_size: number; page_count: number; freelist_count: number; journal_mode: string };
  quickCheck?: string[] | string;
  foreignKeys?: Row[] | string;
}

/** A driver that answers collectStats's queries from `answers`, and records every statement it is given. */
function fakeDriver(answers: Answers): Driver & { statements: string[] } {
  const statements: string[] = [];
  const rowsOr = (value: Row[] | string): Row[] => {
    if (typeof value === 'string') throw new Error(value);
    return value;
  };
  const answer = (sql: string): Row[] => {
    if (sql.includes('FROM sqlite_master')) return answers.objects ?? [];
    if (sql.includes('pragma_page_size'))
      return [answers.pages ?? { page_size: 4096, page_count: 10, freelist_count: 0, journal_mode: 'wal' }];
    if (sql.includes('pragma_quick_check')) {
      const result = answers.quickCheck ?? ['ok'];
      return rowsOr(typeof result === 'string' ? result : result.map((quick_check) => ({ quick_check })));
    }
    if (sql.includes('pragma_foreign_key_check')) return rowsOr(answers.foreignKeys ?? []);
    const table = /FROM "(.*)"$/.exec(sql)?.[1]?.replaceAll('""', '"') ?? '';
    const count = answers.counts?.[table] ?? 0;
    return rowsOr(typeof count === 'string' ? count : [{ n: count }]);
  };
  return {
    name: 'fake',
    statements,
    async query<R extends Row = Row>(sql: string) {
      statements.push(sql);
      return answer(sql) as R[];
    },
    exec: async (sql) => {
      statements.push(sql);
    },
    run: async (sql) => {
      statements.push(sql);
      return { changes: 0 };
    },
    inTransaction: () => false,
    close: async () => undefined,
  };
}

const upToDate: StatusReport = { applied: [], pending: [], problems: [] };

describe('collectStats', () => {
  it('counts rows and schema objects, flags the history table, and only reads', async () => {
    const driver = fakeDriver({
      objects: [
        { type: 'index', name: 'idx_a' },
        { type: 'table', name: 'Schema_Migrations' },
        { type: 'table', name: 'a' },
        { type: 'view', name: 'v' },
        { type: 'table', name: 'we"ird' },
        { type: 'trigger', name: 't' },
        { type: 'index', name: 'idx_b' },
      ],
      counts: { Schema_Migrations: 2, a: 5, 'we"ird': 1 },
    });
    const status: StatusReport = {
      applied: [
        { version: '001', name: 'a', appliedAt: '2025-01-15 10:30:00', checksum: 'c1', durationMs: 4 },
        { version: '002', name: 'b', appliedAt: '2025-01-15 10:30:01', checksum: 'c2' },
      ],
      pending: [],
      problems: [],
    };
    const stats = await collectStats(driver, 'schema_migrations', status);
    expect(stats).toStrictEqual({
      tables: [
        { name: 'Schema_Migrations', rows: 2, history: true },
        { name: 'a', rows: 5, history: false },
        { name: 'we"ird', rows: 1, history: false },
      ],
      indexes: 2,
      triggers: 1,
      views: 1,
      pageSize: 4096,
      pageCount: 10,
      freelistCount: 0,
      sizeBytes: 40960,
      journalMode: 'wal',
      migrations: {
        applied: 2,
        pending: 0,
        last: { version: '002', name: 'b', appliedAt: '2025-01-15 10:30:01' },
        durations: [
          { version: '001', name: 'a', durationMs: 4 },
          { version: '002', name: 'b' },
        ],
        totalDurationMs: 4,
        problems: [],
      },
      checks: { quickCheck: ['ok'], foreignKeyViolations: [], foreignKeyViolationsTruncated: false },
      health: { status: 'ok', reasons: [] },
    });
    expect(driver.statements).toContain('SELECT count(*) AS n FROM "we""ird"');
    expect(driver.statements.every((sql) => /^\s*SELECT /.test(sql))).toBe(true);
  });

  it('reports a damaged database instead of failing, errors before warnings', async () => {
    const driver = fakeDriver({
      objects: [
        { type: 'table', name: 'docs' },
        { type: 'table', name: 'users' },
      ],
      counts: { docs: 'no such module: fts5', users: 3 },
      quickCheck: 'database disk image is malformed',
      foreignKeys: 'foreign key mismatch - "posts" referencing "users"',
    });
    const stats = await collectStats(driver, 'schema_migrations', upToDate);
    expect(stats.tables).toEqual([
      { name: 'docs', rows: null, history: false },
      { name: 'users', rows: 3, history: false },
    ]);
    expect(stats.checks.quickCheck).toEqual(['database disk image is malformed']);
    expect(stats.health).toEqual({
      status: 'error',
      reasons: [
        'foreign keys could not be checked: foreign key mismatch - "posts" referencing "users"',
        'quick_check found damage: database disk image is malformed',
        'the rows of table docs could not be counted: no such module: fts5',
      ],
    });
  });

  it('keeps the first 100 foreign-key violations and says there are more', async () => {
    const foreignKeys = Array.from({ length: 101 }, (_, i) => ({ table: 'posts', rowid: i + 1, parent: 'users', fkid: 0 }));
    const stats = await collectStats(fakeDriver({ foreignKeys }), 'schema_migrations', upToDate);
    expect(stats.checks.foreignKeyViolations).toHaveLength(100);
    expect(stats.checks.foreignKeyViolationsTruncated).toBe(true);
    expect(stats.health.reasons).toEqual(['100+ foreign-key violation(s), the first in posts row 1, whose users row is missing']);
  });

  it('turns migration problems into errors and pending migrations into a warning', async () => {
    const status: StatusReport = {
      applied: [],
      pending: ['001', '002', '003', '004', '005', '006'].map((version) => ({ version, name: 'm' })),
      problems: [new StrataError('APPLIED_MISSING', 'migration 009 (gone) is recorded as applied, but …', { version: '009' })],
    };
    const stats = await collectStats(fakeDriver({}), 'schema_migrations', status);
    expect(stats.migrations.problems).toStrictEqual([
      { code: 'APPLIED_MISSING', message: 'migration 009 (gone) is recorded as applied, but …', version: '009' },
    ]);
    expect(stats.health).toEqual({
      status: 'error',
      reasons: [
        'APPLIED_MISSING: migration 009 (gone) is recorded as applied, but …',
        '6 migration(s) pending (001, 002, 003, 004, 005, 006); run migrate',
      ],
    });
  });

  it('suggests VACUUM when over a quarter of the pages, and at least 1 MiB, are free', async () => {
    const withPages = (page_size: number, page_count: number, freelist_count: number) =>
      collectStats(fakeDriver({ pages: { page_size, page_count, freelist_count, journal_mode: 'delete' } }), 'm', upToDate);
    expect((await withPages(4096, 1000, 300)).health).toEqual({
      status: 'warning',
      reasons: ['300 of 1000 pages (30%) are free; VACUUM would shrink the file by about 1.2 MiB'],
    });
    expect((await withPages(4096, 1000, 250)).health.status).toBe('ok');
    expect((await withPages(1024, 1000, 900)).health.status).toBe('ok');
  });

  it('throws DATABASE_ERROR when the schema cannot be read at all', async () => {
    const driver = fakeDriver({});
    driver.query = async () => {
      throw new Error('file is not a database');
    };
    await expect(collectStats(driver, 'schema_migrations', upToDate)).rejects.toMatchObject({
      code: 'DATABASE_ERROR',
      message: 'could not read the database statistics: file is not a database',
    });
  });
});
