import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { checkQueries, type Driver, type Migration, type QueryText, readQueries } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BUILT_IN_MIGRATIONS, makeTempDir, schemaOf, writeFiles } from './fixtures.js';

/** The queries an application built on the built-in schema runs. */
const QUERIES = readQueries(
  [
    '-- name: domainsList',
    'SELECT slug, name, description FROM domains ORDER BY name;',
    '-- name: domainBySlug',
    'SELECT id FROM domains WHERE slug = :slug;',
    '-- name: domainInsert',
    'INSERT INTO domains (slug, name, description) VALUES (?, ?, ?);',
    '-- name: caseStudiesWithDomain',
    'SELECT c.title, d.name FROM case_studies AS c JOIN domains AS d ON d.id = c.domain_id WHERE c.status = $status;',
    '-- name: settingUpdate',
    'UPDATE settings SET value = :value WHERE key = :key;',
    '-- name: userLocale',
    'SELECT locale FROM users WHERE id = ?;',
    '-- name: preferences',
    'SELECT key, value FROM user_preferences WHERE user_id = @user;',
  ].join('\n'),
  'app.sql',
);

const STEPS = {
  // Expand: the previous version's queries do not name the new column, and still compile.
  '004_domain_icons/up.sql': 'ALTER TABLE domains ADD COLUMN icon TEXT;\n',
  '005_domain_titles/up.sql': 'ALTER TABLE domains RENAME COLUMN name TO title;\n',
};

/** A query, by its name. */
const query = (name: string): QueryText => {
  const found = QUERIES.find((q) => q.source.startsWith(`${name} (`));
  if (found === undefined) throw new Error(`no query ${name}`);
  return found;
};

/**
 * `checkQueries`: the queries of the previous application version, compiled on a replay of the migrations it ran on
 * and again after each new migration. A driver's contract test calls this.
 */
export function describeCompatContract(name: string, open: (path: string) => Promise<Driver>): void {
  describe(`compat contract: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    let migrations: readonly Migration[];
    const load = async (files: Record<string, string>): Promise<readonly Migration[]> => {
      const folder = join(temp.path, 'migrations');
      cpSync(BUILT_IN_MIGRATIONS, folder, { recursive: true });
      writeFiles(folder, files);
      const set = await loadMigrationsFolder(folder);
      expect(set.problems).toEqual([]);
      return set.migrations;
    };
    beforeEach(async () => {
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
      migrations = await load(STEPS);
    });
    afterEach(async () => {
      await driver.close();
      temp.remove();
    });

    it('finds exactly the queries a renamed column breaks, at that migration, with SQLite’s message', async () => {
      const report = await checkQueries(driver, { base: migrations.slice(0, 3), steps: migrations.slice(3), queries: QUERIES });
      expect(report).toEqual({
        checked: 7,
        base: [
          { version: '001', name: 'initial_schema' },
          { version: '002', name: 'add_performance_indexes' },
          { version: '003', name: 'add_user_preferences' },
        ],
        steps: [
          { version: '004', name: 'domain_icons' },
          { version: '005', name: 'domain_titles' },
        ],
        broken: [
          { query: query('domainsList'), migration: { version: '005', name: 'domain_titles' }, error: 'no such column: name' },
          {
            query: query('domainInsert'),
            migration: { version: '005', name: 'domain_titles' },
            error: 'table domains has no column named name',
          },
          {
            query: query('caseStudiesWithDomain'),
            migration: { version: '005', name: 'domain_titles' },
            error: 'no such column: d.name',
          },
        ],
        failingBefore: [{ query: query('userLocale'), error: 'no such column: locale' }],
      });
      expect(query('domainsList').source).toBe('domainsList (app.sql:2)');
    });

    it('finds a double-quoted column that is gone, which SQLite could otherwise take for a string and still compile', async () => {
      const quoted = { sql: 'SELECT "slug", "name" FROM "domains" WHERE "slug" = ?', source: 'kysely' };
      const report = await checkQueries(driver, { base: migrations.slice(0, 3), steps: migrations.slice(3), queries: [quoted] });
      expect(report.broken.map((b) => [b.query, b.migration.version])).toEqual([[quoted, '005']]);
      expect(report.broken[0]?.error).toMatch(/^no such column: .?name.?$/);
    });

    it('finds nothing broken by an expand migration alone, and names the first step after which a query fails', async () => {
      const expandOnly = await checkQueries(driver, {
        base: migrations.slice(0, 3),
        steps: migrations.slice(3, 4),
        queries: QUERIES,
      });
      expect(expandOnly.broken).toEqual([]);
      expect(expandOnly.failingBefore.map((f) => f.query.source)).toEqual(['userLocale (app.sql:12)']);

      // A table dropped after the rename: a query the rename broke stays attributed to it.
      const more = await load({ '006_drop_preferences/up.sql': 'DROP TABLE user_preferences;\n' });
      const report = await checkQueries(driver, { base: more.slice(0, 3), steps: more.slice(3), queries: QUERIES });
      expect(report.broken.map((b) => [b.query.source.split(' ')[0], b.migration.version, b.error])).toEqual([
        ['domainsList', '005', 'no such column: name'],
        ['domainInsert', '005', 'table domains has no column named name'],
        ['caseStudiesWithDomain', '005', 'no such column: d.name'],
        ['preferences', '006', 'no such table: user_preferences'],
      ]);
    });

    it('compiles queries with named parameters, and writes nothing: not on the replay, not on the database', async () => {
      const before = await schemaOf(driver);
      const writes = readQueries(
        JSON.stringify([
          { name: 'caseStudyInsert', sql: 'INSERT INTO case_studies (domain_id, title) VALUES (:domain, :title)' },
          'UPDATE case_studies SET title = @title WHERE id = $id',
          'DELETE FROM settings WHERE key = ?1',
          // Compiled, never run: a NOT NULL it would break is no finding.
          'INSERT INTO domains (slug, name) VALUES (NULL, NULL)',
          'SELECT count(*) FROM domains',
        ]),
        'writes.json',
      );
      const report = await checkQueries(driver, { base: migrations.slice(0, 3), steps: [], queries: writes });
      expect(report).toMatchObject({ checked: 5, steps: [], broken: [], failingBefore: [] });
      expect(await schemaOf(driver)).toEqual(before);
    });

    it('compiles under EXPLAIN through exec() on a driver without compile(), with the same findings', async () => {
      const withoutCompile: Driver = {
        name: driver.name,
        exec: (sql) => driver.exec(sql),
        query: (sql, params) => driver.query(sql, params),
        run: (sql, params) => driver.run(sql, params),
        inTransaction: () => driver.inTransaction(),
        scratch: async () => {
          const scratch = await driver.scratch?.();
          if (scratch === undefined) throw new Error('the driver has no scratch()');
          // The scratch database's own methods, but compile().
          return {
            name: scratch.name,
            exec: (sql) => scratch.exec(sql),
            query: (sql, params) => scratch.query(sql, params),
            run: (sql, params) => scratch.run(sql, params),
            inTransaction: () => scratch.inTransaction(),
            ...(scratch.batch === undefined ? {} : { batch: scratch.batch.bind(scratch) }),
            close: () => scratch.close(),
          };
        },
        close: () => driver.close(),
      };
      const options = { base: migrations.slice(0, 3), steps: migrations.slice(3), queries: QUERIES };
      expect(await checkQueries(withoutCompile, options)).toEqual(await checkQueries(driver, options));
    });

    it('refuses a migration that attaches a file, as validate does, and creates none', async () => {
      const archive = join(temp.path, 'archive.db');
      const attaching = await load({
        '006_archive/up.sql': `ATTACH '${archive}' AS archive;\n`,
        '006_archive/meta.yaml': 'transaction: false\n',
      });
      const error = await checkQueries(driver, {
        base: attaching.slice(0, 3),
        steps: attaching.slice(3),
        queries: QUERIES,
      }).catch((e: unknown) => e);
      expect(error).toMatchObject({
        code: 'REPLAY_FAILED',
        version: '006',
        file: '006_archive/up.sql',
        message: `migration 006 (archive) cannot run on the in-memory replay at 006_archive/up.sql:1:1: it attaches the database '${archive}', a file the replay does not create; check this migration with --no-replay (replay: false)`,
      });
      expect(existsSync(archive)).toBe(false);
    });

    it('throws a migration that fails on the replay as the replay reports it', async () => {
      const failing = await load({ '006_broken/up.sql': 'ALTER TABLE nowhere ADD COLUMN x;\n' });
      const error = await checkQueries(driver, { base: failing.slice(0, 3), steps: failing.slice(3), queries: QUERIES }).catch(
        (e: unknown) => e,
      );
      expect(error).toMatchObject({
        code: 'REPLAY_FAILED',
        version: '006',
        file: '006_broken/up.sql',
        message: expect.stringContaining('on the in-memory replay at 006_broken/up.sql:1:13: no such table: nowhere'),
      });
    });
  });
}
