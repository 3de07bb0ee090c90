import type { Driver, Row } from '../driver.js';
import type { ColumnModel, ForeignKeyModel, IndexModel, SchemaModel, StatementObjectModel, TableModel } from './model.js';
import { canonicalSql } from './normalize.js';

/** What {@link readSchema} leaves out besides SQLite's own objects (`sqlite_%`) and shadow tables. */
export interface ReadSchemaOptions {
  /** Tables to leave out, with their indexes and triggers: Strata's history table, say. */
  readonly exclude?: readonly string[];
}

interface SchemaRow extends Row {
  readonly type: string;
  readonly name: string;
  readonly tbl_name: string;
  readonly sql: string | null;
}

/**
 * Reads the schema of the database behind `driver` as plain data: tables (columns as `table_xinfo` reports them,
 * STRICT, WITHOUT ROWID, foreign keys), virtual tables, indexes made by `CREATE INDEX` (unique, partial, expression
 * keys), views and triggers, each list sorted by name. Definitions are kept as SQLite reads them, so two databases
 * built by differently spaced or quoted statements read the same. Changes nothing.
 *
 * @example
 * ```ts
 * const schema = await readSchema(driver, { exclude: ['schema_migrations'] });
 * for (const table of schema.tables) console.log(table.name, table.columns.map((c) => c.name));
 * ```
 */
export async function readSchema(driver: Driver, options: ReadSchemaOptions = {}): Promise<SchemaModel> {
  const excluded = new Set((options.exclude ?? []).map((name) => name.toLowerCase()));
  const rows = await driver.query<SchemaRow>(
    "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
  );
  const kept = rows.filter((row) => !excluded.has(row.tbl_name.toLowerCase()));
  const listed = await driver.query<{ name: string; type: string; wr: number; strict: number }>(
    "SELECT name, type, wr, strict FROM pragma_table_list WHERE schema = 'main'",
  );
  const shapes = new Map(listed.map((t) => [t.name, t]));
  const tables: TableModel[] = [];
  for (const row of kept.filter((r) => r.type === 'table')) {
    const shape = shapes.get(row.name);
    if (shape === undefined || shape.type === 'shadow') continue;
    tables.push(await readTable(driver, row, shape));
  }
  const statementObject = (row: SchemaRow): StatementObjectModel => ({
    name: row.name,
    table: row.tbl_name,
    sql: canonicalSql(row.sql ?? ''),
    create: (row.sql ?? '').trim(),
  });
  return {
    tables,
    // An index without SQL is one SQLite made for a UNIQUE or PRIMARY KEY constraint: part of its table.
    indexes: kept.filter((r) => r.type === 'index' && r.sql !== null).map(indexOf),
    views: kept.filter((r) => r.type === 'view').map(statementObject),
    triggers: kept.filter((r) => r.type === 'trigger').map(statementObject),
  };
}

async function readTable(
  driver: Driver,
  row: SchemaRow,
  shape: { type: string; wr: number; strict: number },
): Promise<TableModel> {
  const columns = await driver.query<{
    name: string;
    type: string;
    notnull: number;
    dflt_value: string | null;
    pk: number;
    hidden: number;
  }>('SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?) ORDER BY cid', [row.name]);
  const keys = await driver.query<{
    id: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
    match: string;
  }>('SELECT id, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?) ORDER BY id, seq', [
    row.name,
  ]);
  const foreignKeys = new Map<number, ForeignKeyModel>();
  for (const key of keys) {
    const known = foreignKeys.get(key.id);
    foreignKeys.set(key.id, {
      columns: [...(known?.columns ?? []), key.from],
      table: key.table,
      to: [...(known?.to ?? []), key.to],
      onUpdate: key.on_update,
      onDelete: key.on_delete,
      match: key.match,
    });
  }
  const virtual = shape.type === 'virtual';
  return {
    name: row.name,
    kind: virtual ? 'virtual' : 'table',
    columns: columns.map(
      (c): ColumnModel => ({
        name: c.name,
        type: c.type.toUpperCase(),
        notNull: c.notnull === 1,
        default: c.dflt_value === null ? null : canonicalSql(c.dflt_value),
        primaryKey: c.pk,
        hidden: c.hidden,
      }),
    ),
    strict: shape.strict === 1,
    withoutRowid: shape.wr === 1,
    foreignKeys: [...foreignKeys.values()],
    sql: virtual ? canonicalSql(row.sql ?? '') : null,
    create: (row.sql ?? '').trim(),
  };
}

/** An index's keys and WHERE, read from its normalised `CREATE INDEX`, the one place SQLite keeps expression keys. */
function indexOf(row: SchemaRow): IndexModel {
  const sql = canonicalSql(row.sql ?? '');
  const open = sql.indexOf('(');
  let depth = 0;
  let close = sql.length;
  const keys: string[] = [];
  let start = open + 1;
  for (let at = open; at < sql.length; at++) {
    const ch = sql[at];
    if (ch === "'") {
      at = sql.indexOf("'", at + 1);
      if (at < 0) break;
      continue;
    }
    if (ch === '(') depth++;
    if (ch === ')' && --depth === 0) {
      keys.push(sql.slice(start, at));
      close = at;
      break;
    }
    if (ch === ',' && depth === 1) {
      keys.push(sql.slice(start, at));
      start = at + 1;
    }
  }
  const rest = sql.slice(close + 1).trim();
  return {
    name: row.name,
    table: row.tbl_name,
    unique: /^create unique /.test(sql),
    columns: keys.map((key) => key.trim().replace(/ asc$/, '')),
    where: rest.startsWith('where ') ? rest.slice('where '.length) : null,
    create: (row.sql ?? '').trim(),
  };
}
