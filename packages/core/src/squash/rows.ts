import type { Driver } from '../driver.js';
import type { SchemaObject } from '../schema/dump.js';
import { quoteIdentifier } from '../sql/identifier.js';

interface ColumnRow {
  readonly [key: string]: string | number | bigint | Uint8Array | null;
  readonly name: string;
  readonly type: string;
  readonly pk: number;
  readonly hidden: number;
}

/**
 * The rows of `tables` as `INSERT` statements, every value written by SQLite's own `quote()`, so each is exact: NULL,
 * integers of any size, reals that read back as the same number, blobs as `X'…'`, text with its quotes doubled.
 * Generated and hidden columns are left out (SQLite computes them). A rowid table without an INTEGER PRIMARY KEY has
 * its `rowid` written too, so the rows keep the rowids they had. Then, for tables with AUTOINCREMENT, the counter
 * SQLite keeps in `sqlite_sequence`, so that the next id is the one it would have been.
 *
 * @example
 * ```ts
 * const inserts = await rowStatements(driver, objects.filter((o) => o.type === 'table'));
 * ```
 */
export async function rowStatements(driver: Driver, tables: readonly SchemaObject[]): Promise<string[]> {
  const statements: string[] = [];
  const listed = await driver.query<{ name: string; type: string; wr: number }>(
    "SELECT name, type, wr FROM pragma_table_list WHERE schema = 'main'",
  );
  const shapes = new Map(listed.map((t) => [t.name, t]));
  for (const table of tables) {
    const shape = shapes.get(table.name);
    const columns = (
      await driver.query<ColumnRow>('SELECT name, type, pk, hidden FROM pragma_table_xinfo(?)', [table.name])
    ).filter((c) => c.hidden === 0);
    const keys = columns.filter((c) => c.pk > 0);
    const aliased = keys.length === 1 && keys[0]?.type.toUpperCase() === 'INTEGER';
    const withRowid = shape?.type === 'table' && shape.wr === 0 && !aliased;
    const names = [...(withRowid ? ['rowid'] : []), ...columns.map((c) => c.name)];
    if (names.length === 0) continue;
    const values = names.map((name, i) => `quote(${quoteIdentifier(name)}) AS v${i}`);
    const order = shape?.type === 'table' && shape.wr === 0 ? ' ORDER BY rowid' : '';
    const rows = await driver.query(`SELECT ${values.join(', ')} FROM ${quoteIdentifier(table.name)}${order}`);
    const into = `INSERT INTO ${quoteIdentifier(table.name)} (${names.map(quoteIdentifier).join(', ')}) VALUES`;
    for (const row of rows) statements.push(`${into} (${names.map((_, i) => String(row[`v${i}`])).join(', ')})`);
  }
  statements.push(...(await sequenceStatements(driver, tables)));
  return statements;
}

/** The `sqlite_sequence` counters of `tables`, set whether or not SQLite made their row yet. */
async function sequenceStatements(driver: Driver, tables: readonly SchemaObject[]): Promise<string[]> {
  const exists = await driver.query("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_sequence'");
  if (exists.length === 0) return [];
  const names = new Set(tables.map((t) => t.name));
  const counters = await driver.query<{ name: string; seq: string; n: string }>(
    'SELECT name, quote(seq) AS seq, quote(name) AS n FROM sqlite_sequence ORDER BY name',
  );
  return counters
    .filter((c) => names.has(c.name))
    .flatMap((c) => [
      `UPDATE sqlite_sequence SET seq = ${c.seq} WHERE name = ${c.n}`,
      `INSERT INTO sqlite_sequence (name, seq) SELECT ${c.n}, ${c.seq} WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = ${c.n})`,
    ]);
}
