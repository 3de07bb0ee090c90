import { join } from 'node:path';
import { type Driver, readSchema } from '@strata/core';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTempDir } from './fixtures.js';
import { AUDIT_TABLE, type KeptTable, keptTables, type SchemaPair, schemaPair } from './schema-arbitrary.js';

/** Runs per property; `STRATA_PROPERTY_RUNS=5000` for a long local run. */
const RUNS = Number(process.env.STRATA_PROPERTY_RUNS ?? 80);

/** Every row of the table's kept columns, each as `quote()` renders its values, sorted: a multiset to compare. */
async function keptRows(driver: Driver, table: string, columns: readonly string[]): Promise<string[]> {
  if (columns.length === 0) return [];
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
async function expectedB(driver: Driver, pair: SchemaPair, kept: readonly KeptTable[]): Promise<Driver> {
  const source = await scratchWith(driver, `${pair.aSql}\n${pair.rowsSql}`);
  const target = await scratchWith(driver, pair.bSql);
  try {
    await target.exec('PRAGMA foreign_keys = OFF');
    for (const table of kept) {
      if (table.a === AUDIT_TABLE || table.columns.length === 0) continue;
      const names = table.columns.map((c) => `"${c.b}"`).join(', ');
      for (const row of await keptRows(source, table.a, table.columns.map((c) => c.a))) {
        await target.exec(`INSERT INTO "${table.b}" (${names}) VALUES (${row})`);
      }
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

async function scratchWith(driver: Driver, sql: string): Promise<Driver> {
  const scratch = await driver.scratch?.();
  if (scratch === undefined) throw new Error(`the ${driver.name} driver has no scratch()`);
  await scratch.exec(sql);
  return scratch;
}

/**
 * The schema-change generator on random pairs of schemas A → B with rows in A: up.sql, run as a migration, makes
 * exactly B and keeps every row of every kept column; down.sql makes exactly A again. A driver's contract test calls
 * this. The arbitraries' own check (every A and B is SQL the engine accepts, A's rows insert, and B can hold them) runs
 * here too, so a failure of the property is the generator's, not the arbitraries'.
 */
export function describeGeneratePropertyContract(name: string, open: (path: string) => Promise<Driver>): void {
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

    it('generates schemas the engine accepts, rows that satisfy every constraint, and a B that can hold them', async () => {
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
    });
  });
}
