import { readFileSync } from 'node:fs';
import {
  checkParity,
  type Driver,
  MigrationManager,
  type ParityEngine,
  parseMigrationFiles,
  readEngineBuild,
} from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { createSqlJsDriver } from '@strata/driver-sqljs';
import { afterEach, describe, expect, it } from 'vitest';

const REPO_MIGRATIONS = new URL('../../../migrations', import.meta.url).pathname;
const README = new URL('../../../README.md', import.meta.url);

const opened: Driver[] = [];
afterEach(async () => {
  for (const driver of opened.splice(0)) await driver.close();
});

/** better-sqlite3 and sql.js, each as a driver whose scratch() opens an empty database in memory on its engine. */
async function engines(): Promise<ParityEngine[]> {
  const native = createBetterSqlite3Driver({ filename: ':memory:' });
  const wasm = await createSqlJsDriver();
  opened.push(native, wasm);
  return [
    { name: 'better-sqlite3', driver: native },
    { name: 'sqljs', driver: wasm },
  ];
}

/** The run order of a folder given as files, as a run would apply it. */
function ordered(files: Record<string, string>, driver: Driver) {
  return new MigrationManager({ driver, migrations: parseMigrationFiles(files) }).migrations();
}

const FTS5 = {
  '001_docs/up.sql': 'CREATE TABLE docs (id INTEGER PRIMARY KEY, body TEXT NOT NULL);\n',
  '002_search/up.sql':
    '-- full-text search\nCREATE INDEX idx_docs_body ON docs (body);\n  CREATE VIRTUAL TABLE docs_search USING fts5(body);\n',
  '003_search_log/up.sql': 'CREATE TABLE search_log (id INTEGER PRIMARY KEY, query TEXT);\n',
  '003_search_log/meta.yaml': 'dependencies: ["002"]\n',
  '004_ranked/up.sql': 'CREATE VIEW ranked AS SELECT id FROM search_log;\n',
  '004_ranked/meta.yaml': 'dependencies: ["003"]\n',
  '005_tags/up.sql': 'CREATE TABLE tags (doc_id INTEGER NOT NULL REFERENCES docs (id), label TEXT NOT NULL);\n',
};

describe('checkParity on better-sqlite3 and sql.js', () => {
  it('reports an FTS5 migration as failing on sql.js, explained by ENABLE_FTS5, with its dependents unchecked there', async () => {
    const list = await engines();
    const report = await checkParity(ordered(FTS5, list[0]?.driver as Driver), list);

    expect(report.migrations).toBe(5);
    expect(report.engines.map((e) => e.name)).toEqual(['better-sqlite3', 'sqljs']);
    const [native, wasm] = report.engines;
    expect(native?.sqliteVersion).toMatch(/^3\.\d+\.\d+$/);
    expect(native?.compileOptions).toContain('ENABLE_FTS5');
    expect(wasm?.compileOptions).not.toContain('ENABLE_FTS5');

    const explanation = 'ENABLE_FTS5 on better-sqlite3, not on sqljs';
    expect(report.findings).toEqual([
      {
        kind: 'fails-on-one',
        version: '002',
        name: 'search',
        failedOn: ['sqljs'],
        appliedOn: ['better-sqlite3'],
        error: {
          code: 'MIGRATION_FAILED',
          message:
            'migration 002 (search) failed at 002_search/up.sql:3:42, and the database was left as before it: no such ' +
            'module: fts5\n  CREATE VIRTUAL TABLE docs_search USING fts5(body)',
          version: '002',
          file: '002_search/up.sql',
          line: 3,
          column: 42,
        },
        explanation,
        problem: {
          code: 'PARITY_MISMATCH',
          version: '002',
          file: '002_search/up.sql',
          line: 3,
          column: 42,
          message:
            'migration 002 (search) applies on better-sqlite3 but fails on sqljs at 002_search/up.sql:3:42: no such ' +
            `module: fts5 (${explanation}); not checked, as they depend on it: 003, 004 on sqljs`,
        },
      },
    ]);
    // 003 depends on 002 and 004 on 003; 005 depends on neither, so it was applied and compared on both.
    expect(report.unchecked).toEqual([
      { version: '003', name: 'search_log', engine: 'sqljs', after: '002' },
      { version: '004', name: 'ranked', engine: 'sqljs', after: '002' },
    ]);
  });

  it('finds nothing in the built-in migrations, which run alike on both', async () => {
    const list = await engines();
    const migrations = await loadMigrationsFolder(REPO_MIGRATIONS);
    const order = new MigrationManager({ driver: list[0]?.driver as Driver, migrations }).migrations();
    const report = await checkParity(order, list);
    expect(order.map((m) => m.version)).toEqual(['001', '002', '003']);
    expect(report).toMatchObject({ migrations: 3, findings: [], unchecked: [] });
  });

  it('reports a double-quoted word better-sqlite3 (DQS=0) refuses and sql.js reads as a string, and what it takes along', async () => {
    const list = await engines();
    const files = {
      '001_t/up.sql': 'CREATE TABLE t (a TEXT);\n',
      '002_idx/up.sql': 'CREATE INDEX idx_t ON t ("a_typo");\n',
      // Builds on 002 without declaring it: it fails where 002 did, and the finding says 002 failed there first.
      '003_drop/up.sql': 'DROP INDEX idx_t;\n',
    };
    const report = await checkParity(ordered(files, list[0]?.driver as Driver), list);
    expect(report.findings).toMatchObject([
      {
        kind: 'fails-on-one',
        version: '002',
        failedOn: ['better-sqlite3'],
        appliedOn: ['sqljs'],
        explanation: 'DQS=0 on better-sqlite3, not on sqljs',
      },
      { kind: 'fails-on-one', version: '003', failedOn: ['better-sqlite3'], appliedOn: ['sqljs'], after: ['002'] },
    ]);
    expect(report.findings[0]).not.toHaveProperty('after');
    expect(report.findings[1]?.problem.message).toMatch(
      /^migration 003 \(drop\) applies on sqljs but fails on better-sqlite3 at 003_drop\/up\.sql:1:12: no such index: idx_t; it comes after 002, which failed there first$/,
    );
  });

  it('reports a migration that fails on both once, leaving its dependents unchecked on both', async () => {
    const list = await engines();
    const files = {
      '001_t/up.sql': 'CREATE TABLE t (a TEXT);\n',
      '002_bad/up.sql': 'CREATE INDEX idx_nope ON nope (a);\n',
      '003_after/up.sql': 'CREATE TABLE u (a TEXT);\n',
      '003_after/meta.yaml': 'dependencies: ["002"]\n',
    };
    const report = await checkParity(ordered(files, list[0]?.driver as Driver), list);
    expect(report.findings.map((f) => [f.kind, f.version, f.problem.code, f.problem.message])).toEqual([
      [
        'fails-everywhere',
        '002',
        'MIGRATION_FAILED',
        'migration 002 (bad) fails on every engine at 002_bad/up.sql:1:26: no such table: main.nope; not checked, as they ' +
          'depend on it: 003 on better-sqlite3; 003 on sqljs',
      ],
    ]);
    expect(report.unchecked.map((u) => [u.version, u.engine])).toEqual([
      ['003', 'better-sqlite3'],
      ['003', 'sqljs'],
    ]);
  });

  it('reports a migration that leaves different schemas, and only the migration that made the difference', async () => {
    // The shipped engines build the same schema from every migration that applies on both (none found that does
    // not), so the second engine here is sql.js with a connection default changed: legacy_alter_table, under which
    // renaming a table leaves the views that name it alone.
    const wasm = await createSqlJsDriver();
    opened.push(wasm);
    const legacy: Driver = {
      ...wasm,
      name: 'sqljs-legacy-alter',
      scratch: async () => {
        const scratch = await wasm.scratch();
        await scratch.exec('PRAGMA legacy_alter_table = ON');
        return scratch;
      },
    };
    const files = {
      '001_a/up.sql': 'CREATE TABLE a (x INTEGER);\nCREATE VIEW v AS SELECT x FROM a;\n',
      '002_rename/up.sql': 'ALTER TABLE a RENAME TO b;\n',
      '003_more/up.sql': 'CREATE TABLE c (y INTEGER);\n',
    };
    const report = await checkParity(ordered(files, wasm), [
      { name: 'sqljs', driver: wasm },
      { name: 'sqljs-legacy-alter', driver: legacy },
    ]);
    const message = 'view v: definition changed: create view v as select x from b → create view v as select x from a';
    expect(report.findings).toEqual([
      {
        kind: 'different-schema',
        version: '002',
        name: 'rename',
        engines: ['sqljs', 'sqljs-legacy-alter'],
        differences: [{ kind: 'view', name: 'v', change: 'changed', message }],
        problem: {
          code: 'PARITY_MISMATCH',
          version: '002',
          file: '002_rename/up.sql',
          message: `migration 002 (rename) leaves a different schema on sqljs-legacy-alter than on sqljs: ${message}`,
        },
      },
    ]);
  });
});

/** The README's list of what the sql.js build lacks: `- what (\`OPTION\`): \`SQL\` → \`error\``. */
function lacks(): { what: string; option: string; sql: string; error: string }[] {
  const text = readFileSync(README, 'utf8');
  const start = text.indexOf('What the sql.js build lacks');
  const list = text.slice(start, text.indexOf('\n\n', text.indexOf('\n- ', start)));
  return [...list.matchAll(/^- (.+?) \(`([A-Z0-9_]+)`\): `([^`]+)` → `([^`]+)`$/gm)].map(
    ([, what = '', option = '', sql = '', error = '']) => ({
      what,
      option,
      sql,
      error,
    }),
  );
}

describe("the README's list of what the sql.js build lacks", () => {
  const listed = lacks();

  it('names the SQLite releases of both', async () => {
    const list = await engines();
    const text = readFileSync(README, 'utf8');
    for (const { driver } of list) expect(text).toContain(`SQLite ${(await readEngineBuild(driver)).sqliteVersion}`);
    expect(listed.length).toBeGreaterThanOrEqual(8);
  });

  it.each(listed)(
    '$what: compiled into better-sqlite3 only, and its SQL fails on sql.js alone',
    async ({ option, sql, error }) => {
      const [native, wasm] = (await engines()).map((e) => e.driver);
      const scratches = [await native?.scratch?.(), await wasm?.scratch?.()] as Driver[];
      opened.push(...scratches);
      const [nativeScratch, wasmScratch] = scratches;
      const options = async (d: Driver | undefined) =>
        (await readEngineBuild(d as Driver)).compileOptions.map((o) => o.split('=')[0]);
      expect(await options(nativeScratch)).toContain(option);
      expect(await options(wasmScratch)).not.toContain(option);
      await expect(nativeScratch?.exec(sql)).resolves.toBeUndefined();
      await expect(wasmScratch?.exec(sql)).rejects.toThrow(error);
    },
  );
});
