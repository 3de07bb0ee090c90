import type { Driver, Row } from '../driver.js';

/** The order objects are written in: tables before what is built on them. */
const RANK: Readonly<Record<string, number>> = { table: 0, index: 1, view: 2, trigger: 3 };

interface MasterRow extends Row {
  readonly type: string;
  readonly name: string;
  readonly tbl_name: string;
  readonly sql: string;
}

/** One object of a schema, with the statement that makes it, as {@link schemaObjects} lists them. */
export interface SchemaObject {
  readonly type: 'table' | 'index' | 'view' | 'trigger';
  readonly name: string;
  /** The table an index or trigger is on; a table's or view's own name. */
  readonly table: string;
  /** The statement as SQLite keeps it, trimmed, without a closing `;`. */
  readonly sql: string;
}

/**
 * The objects of the database behind `driver` in one deterministic order: tables, then indexes, views and triggers,
 * each by name, which is an order SQLite accepts them in (a view may name a view made after it; a trigger's table is
 * made before it). SQLite's own objects, the shadow tables of virtual tables and the tables in `exclude` (with their
 * indexes and triggers) are left out.
 *
 * @example
 * ```ts
 * const tables = (await schemaObjects(driver)).filter((o) => o.type === 'table').map((o) => o.name);
 * ```
 */
export async function schemaObjects(
  driver: Driver,
  options: { readonly exclude?: readonly string[] } = {},
): Promise<SchemaObject[]> {
  const excluded = new Set((options.exclude ?? []).map((name) => name.toLowerCase()));
  const shadows = new Set(
    (await driver.query<{ name: string }>("SELECT name FROM pragma_table_list WHERE schema = 'main' AND type = 'shadow'")).map(
      (row) => row.name,
    ),
  );
  const rows = await driver.query<MasterRow>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
  );
  return rows
    .filter((row) => !excluded.has(row.tbl_name.toLowerCase()) && !shadows.has(row.name))
    .sort((a, b) => (RANK[a.type] ?? 9) - (RANK[b.type] ?? 9) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .map((row) => ({ type: row.type as SchemaObject['type'], name: row.name, table: row.tbl_name, sql: row.sql.trim() }));
}

/**
 * The schema of the database behind `driver` as SQL, in one deterministic order and text: the statements of
 * {@link schemaObjects}, each ended by `;`, one blank line between statements. Running the text on an empty database
 * makes the same schema, so it can be committed as `schema.sql` and read in review.
 *
 * @example
 * ```ts
 * const text = await schemaSql(driver, { exclude: ['schema_migrations'] });
 * ```
 */
export async function schemaSql(driver: Driver, options: { readonly exclude?: readonly string[] } = {}): Promise<string> {
  return (await schemaObjects(driver, options)).map((object) => `${object.sql};\n`).join('\n');
}
