import { checkQueries, readQueries } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS } from '../../../test/support/fixtures.js';
import { serverQueries, serverQueriesSql } from '../src/queries.js';

describe("the example server's queries", () => {
  it('are every query the service runs, reads and writes, each named by the function that builds it', () => {
    expect(serverQueries().map((q) => q.name)).toEqual([
      'domainsList',
      'domainBySlug',
      'publishedCaseStudies',
      'settingsList',
      'caseStudyInsert',
      'caseStudyUpdate',
      'settingUpdate',
    ]);
    expect(serverQueries().find((q) => q.name === 'settingUpdate')?.sql).toBe(
      'update "settings" set "value" = ? where "key" = ?',
    );
  });

  it('all compile on the schema the built-in migrations build, read back from the .sql file the script prints', async () => {
    const queries = readQueries(serverQueriesSql(), 'server.sql');
    expect(queries.map((q) => q.source.split(' ')[0])).toEqual(serverQueries().map((q) => q.name));
    expect(queries.map((q) => q.sql)).toEqual(serverQueries().map((q) => q.sql));
    expect(queries[1]?.source).toBe('domainBySlug (server.sql:5)');

    const { migrations, problems } = await loadMigrationsFolder(BUILT_IN_MIGRATIONS);
    expect(problems).toEqual([]);
    const driver = createBetterSqlite3Driver({ filename: ':memory:' });
    try {
      const report = await checkQueries(driver, { base: migrations, steps: [], queries });
      expect(report).toEqual({
        checked: queries.length,
        base: migrations.map(({ version, name }) => ({ version, name })),
        steps: [],
        broken: [],
        failingBefore: [],
      });
    } finally {
      await driver.close();
    }
  });
});
