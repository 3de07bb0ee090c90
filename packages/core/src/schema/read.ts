import type { Driver, Row } from '../driver.js';
import { tokenize } from '../sql/tokens.js';
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

const OBJECTS = "SELECT type, name, tbl_name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\'";

/** Models read before, by kind and name, with the statement each was read from. */
type Known = Map<string, { readonly sql: string | null; readonly model: TableModel | IndexModel | StatementObjectModel }>;

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
  const rows = await driver.query<SchemaRow>(`${OBJECTS} ORDER BY name`);
  return schemaOf(driver, rows, options.exclude ?? [], undefined);
}

/**
 * Reads the schema of a scratch database again and again as migrations change it, each time at the cost of what
 * changed: SQLite itself finds the objects whose statements changed since the last read (against a copy of the
 * catalogue in a temporary table of that connection), and only those are read again, since an object's model follows
 * from its statement (SQLite rewrites a table's for every ALTER TABLE). For replays of many migrations, where
 * {@link readSchema} after each would read every table each time. It writes a temporary table: never use it on a
 * database other connections share.
 *
 * @example
 * ```ts
 * const follower = await SchemaFollower.open(replay.driver, { exclude: [replay.table] });
 * await replay.apply(migration);
 * const after = await follower.read();
 * ```
 */
export class SchemaFollower {
  private readonly known: Known = new Map();
  private model: SchemaModel | undefined;

  private constructor(
    private readonly driver: Driver,
    private readonly exclude: readonly string[],
    /** The catalogue as last read, sorted by name. */
    private rows: SchemaRow[],
    /** `PRAGMA schema_version` when it was read: SQLite changes it with every change to the schema. */
    private version: number,
  ) {}

  static async open(driver: Driver, options: ReadSchemaOptions = {}): Promise<SchemaFollower> {
    await driver.exec(
      `CREATE TEMP TABLE ${SEEN} (type, name, tbl_name, sql, PRIMARY KEY (type, name)) WITHOUT ROWID; INSERT INTO ${SEEN} ${OBJECTS};`,
    );
    const rows = await driver.query<SchemaRow>(`${OBJECTS} ORDER BY name`);
    return new SchemaFollower(driver, options.exclude ?? [], rows, await schemaVersion(driver));
  }

  /** The schema now. */
  async read(): Promise<SchemaModel> {
    const version = await schemaVersion(this.driver);
    if (this.model !== undefined && version === this.version) return this.model;
    this.version = version;
    // New or changed objects: found by SQLite, comparing each statement with the one seen last.
    const changed = await this.driver.query<SchemaRow & { isNew: number }>(
      `SELECT m.type, m.name, m.tbl_name, m.sql, s.name IS NULL AS isNew FROM (${OBJECTS}) m LEFT JOIN ${SEEN} s ON s.type = m.type AND s.name = m.name WHERE s.sql IS NOT m.sql`,
    );
    const added = changed.filter((row) => row.isNew === 1).length;
    const [counts] = await this.driver.query<{ now: number; seen: number }>(
      `SELECT (SELECT count(*) FROM (${OBJECTS})) AS now, (SELECT count(*) FROM ${SEEN}) AS seen`,
    );
    // Objects removed, asked only when the counts say some were: every new object adds one.
    const removed =
      counts !== undefined && Number(counts.now) === Number(counts.seen) + added
        ? []
        : await this.driver.query<{ type: string; name: string }>(
            `SELECT type, name FROM ${SEEN} EXCEPT SELECT type, name FROM sqlite_master`,
          );
    if (changed.length > 0 || removed.length > 0) {
      const gone = new Set([...changed, ...removed].map((r) => `${r.type}\0${r.name}`));
      const fresh = changed.map(({ type, name, tbl_name, sql }): SchemaRow => ({ type, name, tbl_name, sql }));
      this.rows = [...this.rows.filter((r) => !gone.has(`${r.type}\0${r.name}`)), ...fresh].sort((a, b) =>
        binaryOrder(a.name, b.name),
      );
      for (const r of removed) await this.driver.run(`DELETE FROM ${SEEN} WHERE type = ? AND name = ?`, [r.type, r.name]);
      for (const r of fresh) {
        await this.driver.run(`INSERT OR REPLACE INTO ${SEEN} VALUES (?, ?, ?, ?)`, [r.type, r.name, r.tbl_name, r.sql]);
      }
    }
    this.model = await schemaOf(this.driver, this.rows, this.exclude, this.known);
    return this.model;
  }
}

/**
 * The order of SQLite's BINARY collation, which `ORDER BY name` follows: by UTF-8 bytes, that is by code points. Plain
 * string comparison orders UTF-16 code units, which puts a character beyond U+FFFF before one from U+E000 to U+FFFF.
 */
function binaryOrder(a: string, b: string): number {
  if (a === b) return 0;
  const [x, y] = [[...a], [...b]];
  for (let i = 0; i < x.length && i < y.length; i++) {
    const difference = (x[i]?.codePointAt(0) ?? 0) - (y[i]?.codePointAt(0) ?? 0);
    if (difference !== 0) return difference;
  }
  return x.length - y.length;
}

async function schemaVersion(driver: Driver): Promise<number> {
  const [row] = await driver.query<{ schema_version: number }>('PRAGMA schema_version');
  return Number(row?.schema_version ?? 0);
}

const SEEN = 'temp.strata_schema_seen';

/** The schema the catalogue rows `rows` describe, reading each object's details; with `known`, only new ones. */
async function schemaOf(
  driver: Driver,
  rows: readonly SchemaRow[],
  exclude: readonly string[],
  known: Known | undefined,
): Promise<SchemaModel> {
  const excluded = new Set(exclude.map((name) => name.toLowerCase()));
  const kept = rows.filter((row) => !excluded.has(row.tbl_name.toLowerCase()));
  const cached = <T>(row: SchemaRow): T | undefined => {
    const found = known?.get(`${row.type}\0${row.name}`);
    return found !== undefined && found.sql === row.sql ? (found.model as T) : undefined;
  };
  const remember = <T extends TableModel | IndexModel | StatementObjectModel>(row: SchemaRow, model: T): T => {
    known?.set(`${row.type}\0${row.name}`, { sql: row.sql, model });
    return model;
  };
  const tables: TableModel[] = [];
  for (const row of kept.filter((r) => r.type === 'table')) {
    const table = cached<TableModel>(row);
    if (table !== undefined) {
      tables.push(table);
      continue;
    }
    // Whether it is virtual or a shadow table (left out), STRICT, WITHOUT ROWID.
    const [shape] = await driver.query<{ type: string; wr: number; strict: number }>(
      "SELECT type, wr, strict FROM pragma_table_list(?) WHERE schema = 'main'",
      [row.name],
    );
    if (shape === undefined || shape.type === 'shadow') continue;
    tables.push(remember(row, await readTable(driver, row, shape)));
  }
  const statementObject = (row: SchemaRow): StatementObjectModel =>
    cached<StatementObjectModel>(row) ??
    remember(row, { name: row.name, table: row.tbl_name, sql: canonicalSql(row.sql ?? ''), create: (row.sql ?? '').trim() });
  return {
    tables,
    // An index without SQL is one SQLite made for a UNIQUE or PRIMARY KEY constraint: part of its table.
    indexes: kept
      .filter((r) => r.type === 'index' && r.sql !== null)
      .map((r) => cached<IndexModel>(r) ?? remember(r, indexOf(r))),
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
  }>(`SELECT name, type, "notnull", dflt_value, pk, hidden FROM pragma_table_xinfo(?, 'main') ORDER BY cid`, [row.name]);
  const keys = await driver.query<{
    id: number;
    table: string;
    from: string;
    to: string | null;
    on_update: string;
    on_delete: string;
    match: string;
  }>(`SELECT id, "table", "from", "to", on_update, on_delete, "match" FROM pragma_foreign_key_list(?, 'main') ORDER BY id, seq`, [
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
  // By tokens, so that a parenthesis or a comma in a quoted name (of the index, its table or a column) is no key's.
  let depth = 0;
  let close = sql.length;
  let start = -1;
  const keys: string[] = [];
  for (const token of tokenize(sql)) {
    if (token.kind !== 'other') continue;
    const ch = sql[token.start];
    if (ch === '(' && depth++ === 0) start = token.end;
    else if (ch === ')' && --depth === 0) {
      keys.push(sql.slice(start, token.start));
      close = token.start;
      break;
    } else if (ch === ',' && depth === 1) {
      keys.push(sql.slice(start, token.start));
      start = token.end;
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
