import fc from 'fast-check';

/**
 * Random pairs of SQLite schemas A → B, with rows in A, for the property test of the schema-change generator.
 *
 * A schema is described as data (tables, columns, indexes, views, triggers) whose objects refer to each other by
 * stable ids, not names: B is A after a sequence of edits, so a renamed table or column keeps its id, and what refers
 * to it (an index, a view, a foreign key) is written with the new name. Both are rendered as plain CREATE statements.
 * Rows are SQL literals chosen so that every constraint holds: each non-NULL value embeds its row's number, so values
 * of a column never repeat (any unique index holds), and a foreign-key column holds NULL or a parent row's key.
 */

/** Declared types: the five of ordinary tables (`''` is no type), and those STRICT allows. */
const PLAIN_TYPES = ['INTEGER', 'TEXT', 'REAL', 'BLOB', 'NUMERIC', ''] as const;
const STRICT_TYPES = ['INTEGER', 'TEXT', 'REAL', 'BLOB', 'ANY'] as const;
const ACTIONS = ['CASCADE', 'SET NULL', 'RESTRICT', 'NO ACTION'] as const;
/** Every schema has it: triggers log into it, and its rows must come through a migration as they are. */
export const AUDIT_TABLE = 'audit';
const AUDIT_SQL = `CREATE TABLE ${AUDIT_TABLE} (id INTEGER PRIMARY KEY, note);`;

export interface ColumnSpec {
  readonly id: number;
  name: string;
  type: string;
  notNull: boolean;
  /** SQL text of the default; null for none. */
  default: string | null;
  pk: boolean;
  /** A reference to the single-column primary key of the table with this id. */
  fk: { parent: number; onDelete: string; onUpdate: string } | null;
  /** Added by an edit (its rows hold its default), not in A. */
  added: boolean;
  /** Its type differs from A's: values are compared as SQLite converts them. */
  typeChanged: boolean;
}

export interface TableSpec {
  readonly id: number;
  name: string;
  columns: ColumnSpec[];
  /** The primary key is a table constraint over every `pk` column rather than one column's. */
  compositePk: boolean;
  strict: boolean;
  withoutRowid: boolean;
}

export interface IndexSpec {
  readonly name: string;
  readonly table: number;
  readonly columns: number[];
  readonly unique: boolean;
  readonly partial: boolean;
  /** The first key is `lower(column)` rather than the column. */
  readonly expression: boolean;
}

export interface ViewSpec {
  readonly name: string;
  readonly table: number;
  readonly columns: number[];
  /** A second table the view reads (in `WHERE EXISTS`); null for none. */
  readonly reads: number | null;
}

export interface TriggerSpec {
  readonly name: string;
  readonly table: number;
  readonly column: number;
  readonly event: 'INSERT' | 'UPDATE' | 'DELETE';
  readonly timing: 'BEFORE' | 'AFTER';
  /** Logs only rows whose column is not NULL. */
  readonly when: boolean;
}

export interface SchemaSpec {
  tables: TableSpec[];
  indexes: IndexSpec[];
  views: ViewSpec[];
  triggers: TriggerSpec[];
}

/** A schema with its rows: table id → rows, each a list of SQL literals in column order. */
export interface SchemaWithRows {
  readonly schema: SchemaSpec;
  readonly rows: ReadonlyMap<number, readonly (readonly string[])[]>;
}

/** A rename as the generator takes it: names are A's. */
export interface SpecRename {
  readonly table: string;
  readonly column?: string;
  readonly to: string;
}

/** A pair A → B: both schemas' SQL, A's rows, the renames that relate them and the edits that made B (for reading a failure). */
export interface SchemaPair {
  readonly a: SchemaSpec;
  readonly b: SchemaSpec;
  readonly aSql: string;
  readonly bSql: string;
  readonly rowsSql: string;
  readonly renames: readonly SpecRename[];
  readonly edits: readonly string[];
}

const quoteName = (name: string) => `"${name}"`;
const columnOf = (table: TableSpec, id: number) => table.columns.find((c) => c.id === id);
const tableOf = (schema: SchemaSpec, id: number) => schema.tables.find((t) => t.id === id);
const pick = <T>(list: readonly T[], n: number): T | undefined => (list.length === 0 ? undefined : list[n % list.length]);

/** The single primary-key column of a table that other tables may reference; undefined for none or a composite key. */
function keyColumn(table: TableSpec): ColumnSpec | undefined {
  const keys = table.columns.filter((c) => c.pk);
  return !table.compositePk && keys.length === 1 ? keys[0] : undefined;
}

/** A constant of the type's kind, or NULL or CURRENT_TIMESTAMP: a column's default. */
function defaultFor(type: string, seed: number): string | null {
  switch (seed % 6) {
    case 0:
      return null;
    case 1:
      return 'NULL';
    case 2:
      return type === 'TEXT' || type === '' || type === 'ANY' ? 'CURRENT_TIMESTAMP' : null;
    default:
      return literalFor(type, 90 + (seed % 7), seed);
  }
}

/** A non-NULL value of the type's kind whose text embeds `row`, so two rows never hold the same value. */
function literalFor(type: string, row: number, seed: number): string {
  const n = row * 100 + (seed % 100);
  const kinds = ['INTEGER', 'TEXT', 'REAL', 'BLOB'];
  const kind = type === '' || type === 'ANY' ? (kinds[Math.floor(seed / 100) % 4] ?? 'TEXT') : type;
  switch (kind) {
    case 'INTEGER':
      return String(n);
    case 'REAL':
      return `${n}.5`;
    case 'BLOB':
      // The bytes of printable text: no NUL, which would cut the text an expression key (lower) reads.
      return `X'${Buffer.from(`b${n}`).toString('hex')}'`;
    case 'NUMERIC':
      return seed % 2 === 0 ? String(n) : `'${n}.25'`;
    default:
      return `'t${n}${seed % 3 === 0 ? " it''s" : ''}'`;
  }
}

function columnSql(schema: SchemaSpec, table: TableSpec, column: ColumnSpec): string {
  const parts = [quoteName(column.name)];
  if (column.type !== '') parts.push(column.type);
  if (column.pk && !table.compositePk) parts.push('PRIMARY KEY');
  if (column.notNull) parts.push('NOT NULL');
  if (column.default !== null) parts.push(`DEFAULT ${column.default}`);
  const parent = column.fk === null ? undefined : tableOf(schema, column.fk.parent);
  const key = parent === undefined ? undefined : keyColumn(parent);
  if (column.fk !== null && parent !== undefined && key !== undefined) {
    parts.push(
      `REFERENCES ${quoteName(parent.name)} (${quoteName(key.name)}) ON DELETE ${column.fk.onDelete} ON UPDATE ${column.fk.onUpdate}`,
    );
  }
  return parts.join(' ');
}

/** The schema as CREATE statements, tables in id order (parents first), with the audit table. */
export function schemaSql(schema: SchemaSpec): string {
  const statements = [AUDIT_SQL];
  for (const table of schema.tables) {
    const lines = table.columns.map((c) => `  ${columnSql(schema, table, c)}`);
    if (table.compositePk) {
      lines.push(
        `  PRIMARY KEY (${table.columns
          .filter((c) => c.pk)
          .map((c) => quoteName(c.name))
          .join(', ')})`,
      );
    }
    const options = [table.strict ? 'STRICT' : '', table.withoutRowid ? 'WITHOUT ROWID' : ''].filter(Boolean).join(', ');
    statements.push(`CREATE TABLE ${quoteName(table.name)} (\n${lines.join(',\n')}\n)${options === '' ? '' : ` ${options}`};`);
  }
  const names = (table: TableSpec, ids: readonly number[]) =>
    ids.map((id) => quoteName(columnOf(table, id)?.name ?? '?')).join(', ');
  for (const index of schema.indexes) {
    const table = tableOf(schema, index.table);
    if (table === undefined) continue;
    const first = columnOf(table, index.columns[0] ?? -1)?.name ?? '?';
    const keys = index.expression
      ? [`lower(${quoteName(first)})`, names(table, index.columns.slice(1))].filter(Boolean).join(', ')
      : names(table, index.columns);
    statements.push(
      `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteName(index.name)} ON ${quoteName(table.name)} (${keys})` +
        `${index.partial ? ` WHERE ${quoteName(first)} IS NOT NULL` : ''};`,
    );
  }
  for (const view of schema.views) {
    const table = tableOf(schema, view.table);
    const other = view.reads === null ? undefined : tableOf(schema, view.reads);
    if (table === undefined) continue;
    const exists = other === undefined ? '' : ` WHERE EXISTS (SELECT 1 FROM ${quoteName(other.name)})`;
    statements.push(
      `CREATE VIEW ${quoteName(view.name)} AS SELECT ${names(table, view.columns)} FROM ${quoteName(table.name)}${exists};`,
    );
  }
  for (const trigger of schema.triggers) {
    const table = tableOf(schema, trigger.table);
    const column = table === undefined ? undefined : columnOf(table, trigger.column);
    if (table === undefined || column === undefined) continue;
    const row = trigger.event === 'DELETE' ? 'old' : 'new';
    statements.push(
      `CREATE TRIGGER ${quoteName(trigger.name)} ${trigger.timing} ${trigger.event} ON ${quoteName(table.name)}` +
        `${trigger.when ? ` WHEN ${row}.${quoteName(column.name)} IS NOT NULL` : ''} BEGIN\n` +
        `  INSERT INTO ${AUDIT_TABLE} (note) VALUES (${row}.${quoteName(column.name)});\nEND;`,
    );
  }
  return statements.join('\n');
}

/** INSERT statements for the rows, parents first. */
export function rowsSql(schema: SchemaSpec, rows: SchemaWithRows['rows']): string {
  const statements: string[] = [];
  for (const table of schema.tables) {
    for (const row of rows.get(table.id) ?? []) {
      const columns = table.columns.map((c) => quoteName(c.name)).join(', ');
      statements.push(`INSERT INTO ${quoteName(table.name)} (${columns}) VALUES (${row.join(', ')});`);
    }
  }
  return statements.join('\n');
}

/** A logging trigger on the column: its event, timing and WHEN chosen by `seed`. */
function triggerOf(name: string, table: TableSpec, column: ColumnSpec, seed: number): TriggerSpec {
  const event = (['INSERT', 'UPDATE', 'DELETE'] as const)[seed % 3] ?? 'INSERT';
  return {
    name,
    table: table.id,
    column: column.id,
    event,
    timing: (seed >> 2) % 2 === 0 ? 'AFTER' : 'BEFORE',
    when: (seed >> 3) % 2 === 1,
  };
}

const seeds = (length: number) => fc.array(fc.nat(9999), { minLength: length, maxLength: length });

const tableSeed = fc.record({
  strict: fc.boolean(),
  withoutRowid: fc.boolean(),
  key: fc.constantFrom('none', 'integer', 'single', 'composite'),
  columns: fc.array(seeds(3), { minLength: 1, maxLength: 4 }),
  fk: fc.option(seeds(3), { nil: null }),
  rows: fc.array(seeds(6), { maxLength: 4 }),
});

/** Schema A: 1–4 tables with keys, foreign keys to earlier tables, indexes, views and triggers, and rows. */
export const schemaWithRows: fc.Arbitrary<SchemaWithRows> = fc
  .record({
    tables: fc.array(tableSeed, { minLength: 1, maxLength: 4 }),
    indexes: fc.array(seeds(4), { maxLength: 3 }),
    views: fc.array(seeds(3), { maxLength: 2 }),
    triggers: fc.array(seeds(3), { maxLength: 2 }),
  })
  .map((seed) => {
    const schema: SchemaSpec = { tables: [], indexes: [], views: [], triggers: [] };
    const rows = new Map<number, string[][]>();
    seed.tables.forEach((t, i) => {
      const strict = t.strict;
      const types: readonly string[] = strict ? STRICT_TYPES : PLAIN_TYPES;
      const table: TableSpec = {
        id: i,
        // Some names need quoting: a space, upper case, a keyword.
        name: i % 2 === 1 ? `Order ${i}` : `t${i}`,
        columns: [],
        compositePk: false,
        strict,
        withoutRowid: t.withoutRowid && t.key !== 'none',
      };
      t.columns.forEach(([typeSeed = 0, flags = 0, defaultSeed = 0], j) => {
        table.columns.push({
          id: i * 100 + j,
          name: j === 2 ? 'select' : `t${i}c${j}`,
          type: types[typeSeed % types.length] ?? 'TEXT',
          notNull: flags % 3 === 0,
          default: defaultFor(types[typeSeed % types.length] ?? 'TEXT', defaultSeed),
          pk: false,
          fk: null,
          added: false,
          typeChanged: false,
        });
      });
      const first = table.columns[0];
      if (first !== undefined && t.key !== 'none') {
        first.pk = true;
        first.default = null;
        const second = table.columns[1];
        if (t.key === 'composite' && second !== undefined) {
          second.pk = true;
          table.compositePk = true;
        }
        // A key other tables may reference is INTEGER or TEXT, a type both plain and STRICT children can declare.
        if (t.key === 'integer') first.type = 'INTEGER';
        else if (!table.compositePk) first.type = first.type === 'INTEGER' ? 'INTEGER' : 'TEXT';
      }
      const parent = t.fk === null ? undefined : pick(schema.tables, t.fk[0] ?? 0);
      const parentKey = parent === undefined ? undefined : keyColumn(parent);
      if (t.fk !== null && parent !== undefined && parentKey !== undefined) {
        table.columns.push({
          id: i * 100 + 90,
          name: `t${i}_${parent.name}`,
          type: parentKey.type,
          notNull: false,
          default: null,
          pk: false,
          fk: {
            parent: parent.id,
            onDelete: pick(ACTIONS, t.fk[1] ?? 0) ?? 'CASCADE',
            onUpdate: pick(ACTIONS, t.fk[2] ?? 0) ?? 'CASCADE',
          },
          added: false,
          typeChanged: false,
        });
      }
      schema.tables.push(table);
      rows.set(
        table.id,
        t.rows.map((cells, r) =>
          table.columns.map((c, k) => {
            const cell = cells[k % cells.length] ?? 0;
            if (c.pk && c.type === 'INTEGER' && !table.compositePk) return String(r + 1);
            if (c.fk !== null) {
              const parentRows = rows.get(c.fk.parent) ?? [];
              const key = parent === undefined ? -1 : parent.columns.findIndex((p) => p.pk);
              const chosen = cell % 3 === 0 ? undefined : pick(parentRows, cell);
              return chosen?.[key] ?? 'NULL';
            }
            if (!c.pk && !c.notNull && cell % 5 === 0) return 'NULL';
            return literalFor(c.type, r, cell + k);
          }),
        ),
      );
    });
    seed.indexes.forEach(([tableSeed = 0, columnSeed = 0, unique = 0, partial = 0], n) => {
      const table = pick(schema.tables, tableSeed);
      if (table === undefined) return;
      const candidates = table.columns.filter((c) => unique % 2 === 0 || c.fk === null);
      const columns = [...new Set([pick(candidates, columnSeed), pick(candidates, columnSeed >> 3)])].filter(
        (c) => c !== undefined,
      );
      if (columns.length === 0) return;
      schema.indexes.push({
        name: `ix${n}`,
        table: table.id,
        columns: columns.map((c) => c.id),
        unique: unique % 2 === 1,
        partial: partial % 2 === 1,
        expression: partial % 4 >= 2,
      });
    });
    seed.views.forEach(([tableSeed = 0, a = 0, b = 0], n) => {
      const table = pick(schema.tables, tableSeed);
      if (table === undefined) return;
      const columns = [...new Set([pick(table.columns, a), pick(table.columns, b)])].filter((c) => c !== undefined);
      const reads = b % 2 === 1 ? (pick(schema.tables, b >> 1)?.id ?? null) : null;
      schema.views.push({ name: `v${n}`, table: table.id, columns: columns.map((c) => c.id), reads });
    });
    seed.triggers.forEach(([tableSeed = 0, columnSeed = 0, event = 0], n) => {
      const table = pick(schema.tables, tableSeed);
      const column = table === undefined ? undefined : pick(table.columns, columnSeed);
      if (table === undefined || column === undefined) return;
      schema.triggers.push(triggerOf(`tr${n}`, table, column, event));
    });
    return { schema, rows };
  });

/** A table of A that B keeps, with the columns it keeps: names in A and in B. */
export interface KeptTable {
  readonly a: string;
  readonly b: string;
  /** Each kept column's names, and whether B changed its type (its values are converted). */
  readonly columns: readonly { readonly a: string; readonly b: string; readonly converted: boolean }[];
}

/** The tables and columns of A that B keeps (by id, so renamed ones count), the audit table among them. */
export function keptTables(pair: Pick<SchemaPair, 'a' | 'b'>): KeptTable[] {
  const kept: KeptTable[] = [
    { a: AUDIT_TABLE, b: AUDIT_TABLE, columns: ['id', 'note'].map((c) => ({ a: c, b: c, converted: false })) },
  ];
  for (const was of pair.a.tables) {
    const now = tableOf(pair.b, was.id);
    if (now === undefined) continue;
    const columns = was.columns.flatMap((c) => {
      const column = columnOf(now, c.id);
      return column === undefined ? [] : [{ a: c.name, b: column.name, converted: column.typeChanged }];
    });
    kept.push({ a: was.name, b: now.name, columns });
  }
  return kept;
}

/** The renames that relate B's names to A's. */
function renamesOf(a: SchemaSpec, b: SchemaSpec): SpecRename[] {
  const renames: SpecRename[] = [];
  for (const was of a.tables) {
    const now = tableOf(b, was.id);
    if (now === undefined) continue;
    if (now.name !== was.name) renames.push({ table: was.name, to: now.name });
    for (const c of was.columns) {
      const column = columnOf(now, c.id);
      if (column !== undefined && column.name !== c.name) renames.push({ table: was.name, column: c.name, to: column.name });
    }
  }
  return renames;
}

/** Removes a column and what cannot live without it (indexes, views, triggers on it). */
function removeColumn(schema: SchemaSpec, table: TableSpec, id: number): void {
  table.columns = table.columns.filter((c) => c.id !== id);
  schema.indexes = schema.indexes.filter((x) => !(x.table === table.id && x.columns.includes(id)));
  schema.views = schema.views.filter((x) => !(x.table === table.id && x.columns.includes(id)));
  schema.triggers = schema.triggers.filter((x) => !(x.table === table.id && x.column === id));
}

type Edit = (schema: SchemaSpec, k: number, seeds: readonly number[]) => string | undefined;

/**
 * One edit of B each: it picks its target from the seeds, changes the schema only where A's rows still satisfy the
 * result, and says what it did (undefined when nothing fitted).
 */
function edits(a: SchemaWithRows): Edit[] {
  /** Whether no row of A holds NULL in the column (false for a column A does not have). */
  const neverNull = (table: TableSpec, column: ColumnSpec) => {
    const index = tableOf(a.schema, table.id)?.columns.findIndex((c) => c.id === column.id) ?? -1;
    return index >= 0 && (a.rows.get(table.id) ?? []).every((row) => row[index] !== 'NULL');
  };
  /** The column's values in A's rows, as SQL literals; none for a column or table A does not have. */
  const valuesOf = (table: TableSpec, column: ColumnSpec) => {
    const index = tableOf(a.schema, table.id)?.columns.findIndex((c) => c.id === column.id) ?? -1;
    return index < 0 ? [] : (a.rows.get(table.id) ?? []).map((row) => row[index] ?? 'NULL');
  };
  const keyValues = (table: TableSpec) => {
    const key = keyColumn(table);
    return key === undefined ? [] : valuesOf(table, key);
  };
  const typesOf = (table: TableSpec): readonly string[] => (table.strict ? STRICT_TYPES : PLAIN_TYPES);
  /** STRICT converts a value to a new type only when no information is lost: these changes keep every value of A's kind. */
  const strictChanges: Record<string, readonly string[]> = {
    INTEGER: ['REAL', 'TEXT', 'ANY'],
    REAL: ['TEXT', 'ANY'],
    TEXT: ['ANY'],
    BLOB: ['ANY'],
  };
  const plainColumns = (table: TableSpec) => table.columns.filter((c) => !c.pk && c.fk === null);
  return [
    (s, k, [t = 0, type = 0, flags = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined) return undefined;
      const declared = pick(typesOf(table), type) ?? 'TEXT';
      const notNull = flags % 2 === 0;
      const fallback = notNull ? literalFor(declared, 90, flags) : defaultFor(declared, flags);
      table.columns.push({
        id: 10_000 + k,
        name: `n${k}`,
        type: declared,
        notNull,
        default: fallback,
        pk: false,
        fk: null,
        added: true,
        typeChanged: false,
      });
      return `add column ${table.name}.n${k} ${declared}${notNull ? ' NOT NULL' : ''} DEFAULT ${fallback}`;
    },
    (s, _k, [t = 0, c = 0]) => {
      const table = pick(s.tables, t);
      const column =
        table === undefined
          ? undefined
          : pick(
              table.columns.filter((x) => !x.pk),
              c,
            );
      if (table === undefined || column === undefined || table.columns.length < 2) return undefined;
      removeColumn(s, table, column.id);
      return `drop column ${table.name}.${column.name}`;
    },
    (s, k, [t = 0, c = 0]) => {
      const table = pick(s.tables, t);
      const column = table === undefined ? undefined : pick(table.columns, c);
      if (table === undefined || column === undefined) return undefined;
      const was = column.name;
      column.name = `${was}_r${k}`;
      return `rename column ${table.name}.${was} to ${column.name}`;
    },
    (s, _k, [t = 0, c = 0]) => {
      const table = pick(s.tables, t);
      // Columns of A only: an added column taking an A column's name would be that column, changed, to the generator.
      const own = table === undefined ? [] : table.columns.filter((x) => !x.added);
      const one = pick(own, c);
      const other = pick(own, c + 1);
      if (table === undefined || one === undefined || other === undefined || one === other) return undefined;
      [one.name, other.name] = [other.name, one.name];
      return `swap names of ${table.name}.${one.name} and ${other.name}`;
    },
    (s, k, [t = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined) return undefined;
      const was = table.name;
      table.name = `${was}_r${k}`;
      return `rename table ${was} to ${table.name}`;
    },
    (s, _k, [t = 0, c = 0, type = 0]) => {
      const table = pick(s.tables, t);
      const column =
        table === undefined
          ? undefined
          : pick(
              plainColumns(table).filter((x) => !x.added),
              c,
            );
      if (table === undefined || column === undefined) return undefined;
      const choices = table.strict ? (strictChanges[column.type] ?? []) : PLAIN_TYPES.filter((x) => x !== column.type);
      const declared = pick(choices, type);
      if (declared === undefined) return undefined;
      const was = column.type;
      column.type = declared;
      column.typeChanged = true;
      // A constant default follows the type, so STRICT accepts it.
      if (column.default !== null && column.default !== 'NULL' && column.default !== 'CURRENT_TIMESTAMP')
        column.default = literalFor(declared, 90, type);
      return `change type of ${table.name}.${column.name} ${was || 'none'} → ${declared || 'none'}`;
    },
    (s, _k, [t = 0, c = 0]) => {
      const table = pick(s.tables, t);
      const column =
        table === undefined
          ? undefined
          : pick(
              table.columns.filter((x) => !x.pk && !x.added),
              c,
            );
      if (table === undefined || column === undefined) return undefined;
      if (!column.notNull && !neverNull(table, column)) return undefined;
      column.notNull = !column.notNull;
      return `${column.notNull ? 'set' : 'drop'} NOT NULL on ${table.name}.${column.name}`;
    },
    (s, _k, [t = 0, c = 0, d = 0]) => {
      const table = pick(s.tables, t);
      const column =
        table === undefined
          ? undefined
          : pick(
              // A foreign-key column keeps no default: rows given one would reference a parent that may not exist.
              plainColumns(table),
              c,
            );
      if (table === undefined || column === undefined) return undefined;
      // An added NOT NULL column is filled by its default, so it keeps one.
      column.default = column.added && column.notNull ? literalFor(column.type, 91, d) : defaultFor(column.type, d + 1);
      return `default of ${table.name}.${column.name} → ${column.default}`;
    },
    (s, k, [t = 0, c = 0, flags = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined) return undefined;
      const unique = flags % 2 === 1;
      // Values of A's columns never repeat, except a foreign key's (also one B no longer has); an added column's (one
      // default) or a converted one's may.
      const repeats = (x: ColumnSpec) => valuesOf(table, x).some((v, i, all) => v !== 'NULL' && all.indexOf(v) !== i);
      const candidates = unique
        ? table.columns.filter((x) => x.fk === null && !x.added && !x.typeChanged && !repeats(x))
        : table.columns;
      const columns = [...new Set([pick(candidates, c), pick(candidates, c >> 2)])].filter((x) => x !== undefined);
      if (columns.length === 0) return undefined;
      s.indexes.push({
        name: `ix_n${k}`,
        table: table.id,
        columns: columns.map((x) => x.id),
        unique,
        partial: flags % 4 >= 2,
        expression: flags % 8 >= 4,
      });
      return `add ${unique ? 'unique ' : ''}index ix_n${k} on ${table.name}`;
    },
    (s, _k, [i = 0]) => {
      const index = pick(s.indexes, i);
      if (index === undefined) return undefined;
      s.indexes = s.indexes.filter((x) => x !== index);
      return `drop index ${index.name}`;
    },
    (s, k, [t = 0, p = 0, actions = 0]) => {
      const table = pick(s.tables, t);
      const parent = pick(
        s.tables.filter((x) => keyColumn(x) !== undefined),
        p,
      );
      const key = parent === undefined ? undefined : keyColumn(parent);
      if (table === undefined || parent === undefined || key === undefined) return undefined;
      if (table.strict && !STRICT_TYPES.includes(key.type as never)) return undefined;
      const fk = {
        parent: parent.id,
        onDelete: pick(ACTIONS, actions) ?? 'CASCADE',
        onUpdate: pick(ACTIONS, actions >> 2) ?? 'CASCADE',
      };
      // On a column A has, where each of A's values is NULL or a key of one of the parent's rows in A.
      const keys = new Set(keyValues(parent));
      const existing = pick(
        plainColumns(table).filter(
          (c) =>
            !c.added && !c.typeChanged && c.type === key.type && valuesOf(table, c).every((v) => v === 'NULL' || keys.has(v)),
        ),
        actions >> 4,
      );
      if (actions % 2 === 1 && existing !== undefined) {
        existing.fk = fk;
        return `add foreign key on ${table.name}.${existing.name} referencing ${parent.name}`;
      }
      table.columns.push({
        id: 10_000 + k,
        name: `n${k}`,
        type: key.type,
        notNull: false,
        default: null,
        pk: false,
        fk,
        added: true,
        typeChanged: false,
      });
      return `add column ${table.name}.n${k} referencing ${parent.name}`;
    },
    (s, _k, [t = 0, c = 0, actions = 0]) => {
      const table = pick(s.tables, t);
      const column =
        table === undefined
          ? undefined
          : pick(
              table.columns.filter((x) => x.fk !== null),
              c,
            );
      if (table === undefined || column?.fk == null) return undefined;
      if (actions % 3 === 0) {
        column.fk = null;
        return `drop foreign key of ${table.name}.${column.name}`;
      }
      column.fk = {
        ...column.fk,
        onDelete: pick(ACTIONS, actions) ?? 'CASCADE',
        onUpdate: pick(ACTIONS, actions >> 2) ?? 'CASCADE',
      };
      return `foreign key of ${table.name}.${column.name} → ON DELETE ${column.fk.onDelete} ON UPDATE ${column.fk.onUpdate}`;
    },
    (s, k, [t = 0, c = 0]) => {
      const table = pick(s.tables, t);
      const columns =
        table === undefined
          ? []
          : [...new Set([pick(table.columns, c), pick(table.columns, c >> 2)])].filter((x) => x !== undefined);
      if (table === undefined || columns.length === 0) return undefined;
      const reads = c % 8 === 1 ? (pick(s.tables, c >> 3)?.id ?? null) : null;
      s.views.push({ name: `v_n${k}`, table: table.id, columns: columns.map((x) => x.id), reads });
      return `add view v_n${k} on ${table.name}`;
    },
    (s, _k, [v = 0]) => {
      const view = pick(s.views, v);
      if (view === undefined) return undefined;
      s.views = s.views.filter((x) => x !== view);
      return `drop view ${view.name}`;
    },
    (s, k, [t = 0, c = 0, e = 0]) => {
      const table = pick(s.tables, t);
      const column = table === undefined ? undefined : pick(table.columns, c);
      if (table === undefined || column === undefined) return undefined;
      const trigger = triggerOf(`tr_n${k}`, table, column, e);
      s.triggers.push(trigger);
      return `add trigger tr_n${k} ${trigger.timing} ${trigger.event} on ${table.name}`;
    },
    (s, _k, [i = 0]) => {
      const trigger = pick(s.triggers, i);
      if (trigger === undefined) return undefined;
      s.triggers = s.triggers.filter((x) => x !== trigger);
      return `drop trigger ${trigger.name}`;
    },
    (s, _k, [t = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined) return undefined;
      if (
        table.strict
          ? table.columns.some((c) => c.type === 'ANY')
          : table.columns.some((c) => c.typeChanged || !STRICT_TYPES.includes(c.type as never))
      ) {
        return undefined;
      }
      table.strict = !table.strict;
      return `${table.strict ? 'add' : 'drop'} STRICT on ${table.name}`;
    },
    (s, _k, [t = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined || (!table.withoutRowid && !table.columns.some((c) => c.pk))) return undefined;
      table.withoutRowid = !table.withoutRowid;
      return `${table.withoutRowid ? 'add' : 'drop'} WITHOUT ROWID on ${table.name}`;
    },
    (s, k, [strict = 0]) => {
      const id = 1000 + k;
      const column = (n: number, type: string, pk: boolean): ColumnSpec => ({
        id: id * 100 + n,
        name: `n${k}c${n}`,
        type,
        notNull: false,
        default: null,
        pk,
        fk: null,
        added: true,
        typeChanged: false,
      });
      s.tables.push({
        id,
        name: `n${k}`,
        columns: [column(0, 'INTEGER', true), column(1, 'TEXT', false)],
        compositePk: false,
        strict: strict % 2 === 1,
        withoutRowid: false,
      });
      return `add table n${k}`;
    },
    (s, _k, [t = 0]) => {
      const table = pick(s.tables, t);
      if (table === undefined) return undefined;
      s.tables = s.tables.filter((x) => x !== table);
      s.indexes = s.indexes.filter((x) => x.table !== table.id);
      s.views = s.views.filter((x) => x.table !== table.id && x.reads !== table.id);
      s.triggers = s.triggers.filter((x) => x.table !== table.id);
      for (const other of s.tables) for (const c of other.columns) if (c.fk?.parent === table.id) c.fk = null;
      return `drop table ${table.name}`;
    },
  ];
}

/** Schema A with rows, and B made from it by up to `maxEdits` random edits. */
export function schemaPair(maxEdits = 8): fc.Arbitrary<SchemaPair> {
  return schemaWithRows.chain((a) =>
    fc.array(fc.tuple(fc.nat(), seeds(3)), { minLength: 1, maxLength: maxEdits }).map((steps) => {
      const b: SchemaSpec = structuredClone(a.schema);
      const made: string[] = [];
      const all = edits(a);
      steps.forEach(([kind, seed], k) => {
        const edit = all[kind % all.length];
        const said = edit?.(b, k, seed);
        if (said !== undefined) made.push(said);
      });
      return {
        a: a.schema,
        b,
        aSql: schemaSql(a.schema),
        bSql: schemaSql(b),
        rowsSql: rowsSql(a.schema, a.rows),
        renames: renamesOf(a.schema, b),
        edits: made,
      };
    }),
  );
}
