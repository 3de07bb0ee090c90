import { join } from 'node:path';
import { type Driver, diffSchemas, MigrationManager, planSchemaChange, readSchema } from '@strata/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GenerateContractOptions } from './contract-generate.js';
import { makeTempDir } from './fixtures.js';
import {
  AUDIT_TABLE,
  type KeptTable,
  keptTables,
  type SchemaPair,
  type SpecRename,
  schemaPair,
  schemaSql,
  schemaWithRows,
} from './schema-arbitrary.js';

/** Runs per property; `STRATA_PROPERTY_RUNS=5000` for a long local run. */
const RUNS = Number(process.env.STRATA_PROPERTY_RUNS ?? 80);
/** A long run gets the time it needs. */
const TIMEOUT = Math.max(30_000, RUNS * 100);

/** Every row of the table's kept columns, each as `quote()` renders its values, sorted: a multiset to compare. */
async function keptRows(driver: Driver, table: string, columns: readonly string[]): Promise<string[]> {
  if (columns.length === 0) {
    const [count] = await driver.query<{ rows: number }>(`SELECT count(*) AS rows FROM "${table}"`);
    return [`${count?.rows ?? 0} rows`];
  }
  const quoted = columns.map((c) => `quote("${c}")`).join(" || ', ' || ");
  const rows = await driver.query<{ row: string }>(`SELECT ${quoted} AS row FROM "${table}"`);
  return rows.map((r) => r.row).sort();
}

/**
 * B built from its SQL, holding A's rows in the columns B keeps, inserted as SQL literals: the rows a migration must
 * leave, each value converted as SQLite converts a value written into the column's (maybe changed) type. Foreign keys
 * are off while inserting, as parents may come after their children, and checked after. The audit table is left
 * empty: B's triggers fire on these inserts, where a migration must not make them fire.
 */
async function expectedB(driver: Driver, pair: ChangeCase, kept: readonly KeptTable[]): Promise<Driver> {
  const source = await scratchWith(driver, `${pair.aSql}\n${pair.rowsSql}`);
  const target = await scratchWith(driver, pair.bSql);
  try {
    await target.exec('PRAGMA foreign_keys = OFF');
    for (const table of kept) {
      if (table.a === AUDIT_TABLE) continue;
      if (table.columns.length === 0) {
        const [count] = await source.query<{ rows: number }>(`SELECT count(*) AS rows FROM "${table.a}"`);
        for (let n = 0; n < (count?.rows ?? 0); n++) await target.exec(`INSERT INTO "${table.b}" DEFAULT VALUES`);
        continue;
      }
      const names = table.columns.map((c) => `"${c.b}"`).join(', ');
      const rows = await keptRows(
        source,
        table.a,
        table.columns.map((c) => c.a),
      );
      for (const row of rows) await target.exec(`INSERT INTO "${table.b}" (${names}) VALUES (${row})`);
    }
    await target.exec('PRAGMA foreign_keys = ON');
    expect(await target.query('PRAGMA foreign_key_check')).toEqual([]);
    return target;
  } catch (error) {
    await target.close();
    throw error;
  } finally {
    await source.close();
  }
}

/** A change to check: A's SQL and rows, B's SQL, the renames between them and what B keeps of A. */
type ChangeCase = Pick<SchemaPair, 'aSql' | 'rowsSql' | 'bSql' | 'renames'> & { readonly kept?: readonly KeptTable[] };

const HISTORY = 'schema_migrations';

/**
 * Plans A → B from both schemas as `readSchema` reads them, runs up.sql as a migration on a database at A with its
 * rows, and checks that it holds exactly B, every row of every kept column (values as SQLite converts them into a
 * changed type: see {@link expectedB}), the audit table's rows unchanged and no foreign-key violation; then runs
 * down.sql and checks that the database holds exactly A again, and, when B dropped nothing, A's rows.
 */
async function checkChange(
  driver: Driver,
  change: ChangeCase,
  kept: readonly KeptTable[],
  options: GenerateContractOptions = {},
): Promise<void> {
  const db = await scratchWith(driver, `${change.aSql}\n${change.rowsSql}`);
  const fresh = await scratchWith(driver, change.bSql);
  const expected = await expectedB(driver, change, kept);
  const source = await scratchWith(driver, `${change.aSql}\n${change.rowsSql}`);
  try {
    const a = await readSchema(db);
    const b = await readSchema(fresh);
    const plan = planSchemaChange(a, b, { renames: change.renames as readonly SpecRename[], allowDrop: true });
    if (diffSchemas(a, b).length === 0) {
      expect([plan.up, plan.down]).toEqual(['', '']);
      return;
    }
    const migrations: Record<string, string> = {
      '001_change/up.sql': plan.up,
      '001_change/down.sql': plan.down,
      ...(plan.foreignKeysOff ? { '001_change/meta.yaml': 'foreign_keys: off\n' } : {}),
    };
    const manager = new MigrationManager({ driver: db, migrations });
    if (plan.foreignKeysOff && options.foreignKeysAlwaysOn === true) {
      // Refused before anything runs; the plan itself was checked on the engines that can run it.
      await expect(manager.migrate()).rejects.toMatchObject({ code: 'NOT_SUPPORTED', file: '001_change/meta.yaml' });
      expect(await readSchema(db)).toEqual(a);
      return;
    }
    await manager.migrate();
    expect(diffSchemas(await readSchema(db, { exclude: [HISTORY] }), b).map((d) => d.message)).toEqual([]);
    for (const table of kept) {
      const columns = table.columns.map((c) => c.b);
      // The audit table is kept as it is: a trigger that fired while the migration copied rows would add to it.
      const want = await (table.a === AUDIT_TABLE ? keptRows(source, table.a, columns) : keptRows(expected, table.b, columns));
      expect(await keptRows(db, table.b, columns), `rows of ${table.b} after up.sql`).toEqual(want);
    }
    expect(await db.query('PRAGMA foreign_key_check')).toEqual([]);
    // A table or column B drops takes its values with it: down.sql brings it back empty, which A's constraints
    // (a foreign key to the dropped table, a NOT NULL column) may refuse, so that down.sql is checked without rows.
    const lossy = a.tables.some((t) => kept.find((k) => k.a === t.name)?.columns.length !== t.columns.length);
    const down = lossy ? await scratchWith(driver, change.aSql) : db;
    try {
      const downManager = lossy ? new MigrationManager({ driver: down, migrations }) : manager;
      if (lossy) await downManager.migrate();
      await downManager.rollback({ steps: 1 });
      expect(diffSchemas(await readSchema(down, { exclude: [HISTORY] }), a).map((d) => d.message)).toEqual([]);
      expect(await down.query('PRAGMA foreign_key_check')).toEqual([]);
      for (const table of lossy ? [] : kept) {
        // A value converted into another type and back may not be the value it was; the rest come back exactly.
        const exact = table.columns.filter((c) => !c.converted).map((c) => c.a);
        const rows = await keptRows(db, table.a, exact);
        expect(rows, `rows of ${table.a} after down.sql`).toEqual(await keptRows(source, table.a, exact));
      }
    } finally {
      if (lossy) await down.close();
    }
  } finally {
    await db.close();
    await fresh.close();
    await expected.close();
    await source.close();
  }
}

async function scratchWith(driver: Driver, sql: string): Promise<Driver> {
  const scratch = await driver.scratch?.();
  if (scratch === undefined) throw new Error(`the ${driver.name} driver has no scratch()`);
  await scratch.exec(sql);
  return scratch;
}

/** Cases the property found, each the smallest that failed, kept as examples so they stay fixed. */
const EXAMPLES: readonly { readonly title: string; readonly change: ChangeCase; readonly kept: readonly KeptTable[] }[] = [
  {
    title: 'adds the new columns before dropping the last old one, which SQLite refuses to drop first',
    change: {
      aSql: 'CREATE TABLE t (a BLOB);',
      rowsSql: "INSERT INTO t VALUES (X'01'), (X'02');",
      bSql: 'CREATE TABLE t (b INTEGER NOT NULL DEFAULT 1);',
      renames: [],
    },
    kept: [{ a: 't', b: 't', columns: [] }],
  },
  {
    title: 'keeps the rows of a rebuilt table none of whose columns is kept',
    change: {
      aSql: 'CREATE TABLE t (a TEXT);',
      rowsSql: "INSERT INTO t VALUES ('x'), ('y');",
      bSql: 'CREATE TABLE t (b INTEGER NOT NULL DEFAULT 1) STRICT;',
      renames: [],
    },
    kept: [{ a: 't', b: 't', columns: [] }],
  },
  {
    title: 'swaps the names of two columns through names of their own, which SQLite would refuse as duplicates',
    change: {
      aSql: 'CREATE TABLE t (a TEXT, b INTEGER);',
      rowsSql: "INSERT INTO t VALUES ('x', 1), ('y', 2);",
      bSql: 'CREATE TABLE t (b TEXT, a INTEGER);',
      renames: [
        { table: 't', column: 'a', to: 'b' },
        { table: 't', column: 'b', to: 'a' },
      ],
    },
    kept: [
      {
        a: 't',
        b: 't',
        columns: [
          { a: 'a', b: 'b', converted: false },
          { a: 'b', b: 'a', converted: false },
        ],
      },
    ],
  },
  {
    title: 'drops a column whose name another column is renamed to, rather than copying both into it',
    change: {
      aSql: 'CREATE TABLE t (a REAL, b TEXT);',
      rowsSql: "INSERT INTO t VALUES (1.5, 'x'), (2.5, 'y');",
      bSql: 'CREATE TABLE t (a TEXT);',
      renames: [{ table: 't', column: 'b', to: 'a' }],
    },
    kept: [{ a: 't', b: 't', columns: [{ a: 'b', b: 'a', converted: false }] }],
  },
  {
    title: 'adds a column referencing a parent after renaming the parent’s columns, which would rewrite its REFERENCES',
    change: {
      aSql: 'CREATE TABLE p (k INTEGER PRIMARY KEY, x NUMERIC);\nCREATE TABLE c (v TEXT);',
      rowsSql: "INSERT INTO p VALUES (1, 10), (2, 20);\nINSERT INTO c VALUES ('x');",
      bSql: 'CREATE TABLE p (x INTEGER PRIMARY KEY, k NUMERIC);\nCREATE TABLE c (v TEXT, r INTEGER REFERENCES p (x));',
      renames: [
        { table: 'p', column: 'k', to: 'x' },
        { table: 'p', column: 'x', to: 'k' },
      ],
    },
    kept: [
      {
        a: 'p',
        b: 'p',
        columns: [
          { a: 'k', b: 'x', converted: false },
          { a: 'x', b: 'k', converted: false },
        ],
      },
      { a: 'c', b: 'c', columns: [{ a: 'v', b: 'v', converted: false }] },
    ],
  },
];

/**
 * The schema-change generator on random pairs of schemas A → B with rows in A: up.sql, run as a migration, makes
 * exactly B and keeps every row of every kept column; down.sql makes exactly A again. A driver's contract test calls
 * this. The arbitraries' own check (every A and B is SQL the engine accepts, A's rows insert, and B can hold them) runs
 * here too, so a failure of the property is the generator's, not the arbitraries'.
 */
export function describeGeneratePropertyContract(
  name: string,
  open: (path: string) => Promise<Driver>,
  options: GenerateContractOptions = {},
): void {
  describe(`schema-change generator, property: ${name}`, () => {
    let temp: ReturnType<typeof makeTempDir>;
    let driver: Driver;
    beforeAll(async () => {
      temp = makeTempDir();
      driver = await open(join(temp.path, 'app.db'));
    });
    afterAll(async () => {
      await driver.close();
      temp.remove();
    });

    it(
      'generates schemas the engine accepts, rows that satisfy every constraint, and a B that can hold them',
      async () => {
        await fc.assert(
          fc.asyncProperty(schemaPair(), async (pair) => {
            const a = await scratchWith(driver, `${pair.aSql}\n${pair.rowsSql}`);
            const b = await expectedB(driver, pair, keptTables(pair));
            try {
              expect(await a.query('PRAGMA foreign_key_check')).toEqual([]);
              const schema = await readSchema(a);
              expect(schema.tables.length).toBe(pair.a.tables.length + 1);
              expect((await readSchema(b)).tables.length).toBe(pair.b.tables.length + 1);
            } finally {
              await a.close();
              await b.close();
            }
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );

    for (const example of EXAMPLES) {
      it(example.title, () => checkChange(driver, example.change, example.kept, options));
    }

    it(
      'plans nothing from a schema to itself',
      async () => {
        await fc.assert(
          fc.asyncProperty(schemaWithRows, async ({ schema }) => {
            const db = await scratchWith(driver, schemaSql(schema));
            try {
              const model = await readSchema(db);
              const plan = planSchemaChange(model, model);
              expect([plan.up, plan.down, plan.foreignKeysOff]).toEqual(['', '', false]);
            } finally {
              await db.close();
            }
          }),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );

    it(
      'makes B from A keeping every kept row, and A again from B, for random pairs',
      async () => {
        await fc.assert(
          fc.asyncProperty(schemaPair(), (pair) => checkChange(driver, pair, keptTables(pair), options)),
          { numRuns: RUNS },
        );
      },
      TIMEOUT,
    );
  });
}
