import { StrataError } from '../../errors.js';
import { quoteIdentifier } from '../../sql/identifier.js';
import { spelling, tokenize } from '../../sql/tokens.js';
import { diffSchemas, type SchemaDifference } from '../diff.js';
import type { ColumnModel, IndexModel, SchemaModel, StatementObjectModel, TableModel } from '../model.js';
import { canonicalSql } from '../normalize.js';
import { type ColumnDefinition, parseTable, type TableDefinition, wordsOf } from './table-sql.js';

/**
 * A rename the user confirmed: a table (`{ table: 'users', to: 'people' }`) or a column
 * (`{ table: 'users', column: 'email', to: 'mail' }`); `table` is the name in the FROM schema.
 *
 * @example
 * ```ts
 * const renames: Rename[] = [{ table: 'users', to: 'people' }, { table: 'users', column: 'email', to: 'mail' }];
 * ```
 */
export interface Rename {
  readonly table: string;
  readonly column?: string;
  readonly to: string;
}

/** Options of {@link planSchemaChange}. */
export interface SchemaChangeOptions {
  readonly renames?: readonly Rename[];
  /** Drops of tables and columns (their rows or values are lost) are written only with this. */
  readonly allowDrop?: boolean;
}

/** What {@link planSchemaChange} writes: a migration's up.sql and down.sql, and what a reader must know about them. */
export interface SchemaChange {
  /** up.sql text: turns FROM into TO. Empty string when nothing differs. */
  readonly up: string;
  /** down.sql text: turns TO back into FROM. */
  readonly down: string;
  /** True when up or down rebuilds a table (or drops one another references): meta.yaml must say `foreign_keys: off`. */
  readonly foreignKeysOff: boolean;
  /** Changes that cannot keep existing rows as they are, one sentence each; also written as `-- ` comments in up.sql. */
  readonly warnings: readonly string[];
  /** What changes, as diffSchemas says it. */
  readonly differences: readonly SchemaDifference[];
}

/**
 * The migration that turns the schema `from` into `to`, each change by the cheapest statement that keeps the rows:
 * `ALTER TABLE` renames a table or column, adds a column SQLite can add and drops one it can drop; any other change
 * of a table is SQLite's rebuild (a new table under another name, the rows of every kept column copied, the old
 * table dropped, the new one renamed), run with foreign keys off so that nothing cascades. Views and triggers that
 * read a changed table are dropped first and made again last, views in the order they read each other; indexes of a
 * rebuilt table are made again. down.sql is the same plan from `to` back to `from`.
 *
 * It never guesses: a table or column that disappears while another appears is `AMBIGUOUS_CHANGE` unless `renames`
 * or `allowDrop` says which it is, and a drop without `allowDrop` is `DESTRUCTIVE_CHANGE`.
 *
 * @example
 * ```ts
 * const change = planSchemaChange(current, desired, { renames: [{ table: 'users', column: 'email', to: 'mail' }] });
 * console.log(change.up); // ALTER TABLE "users" RENAME COLUMN "email" TO "mail";
 * ```
 */
export function planSchemaChange(from: SchemaModel, to: SchemaModel, options: SchemaChangeOptions = {}): SchemaChange {
  const renames = options.renames ?? [];
  const up = plan(from, to, renames, options.allowDrop === true);
  if (up.statements.length === 0) return { up: '', down: '', foreignKeysOff: false, warnings: [], differences: [] };
  const down = plan(to, from, reversed(from, renames), true);
  return {
    up: text(up.warnings, up.statements),
    down: text([], down.statements),
    foreignKeysOff: up.foreignKeysOff || down.foreignKeysOff,
    warnings: up.warnings,
    differences: diffSchemas(from, to),
  };
}

interface Plan {
  readonly statements: string[];
  readonly warnings: string[];
  readonly foreignKeysOff: boolean;
}

function text(warnings: readonly string[], statements: readonly string[]): string {
  const header = warnings.map((w) => `-- ${w}\n`).join('');
  return `${header}${header === '' ? '' : '\n'}${statements.map((s) => `${s};\n`).join('')}`;
}

const key = (name: string) => name.toLowerCase();

/** How one table of FROM reaches its counterpart in TO. */
interface TablePlan {
  readonly from: TableModel;
  readonly to: TableModel;
  /** FROM column key → TO column name, for every column kept. */
  readonly columns: Map<string, string>;
  readonly dropped: ColumnDefinition[];
  readonly added: ColumnDefinition[];
  readonly renamed: [string, string][];
  readonly mode: 'same' | 'alter' | 'rebuild';
}

function plan(from: SchemaModel, to: SchemaModel, renames: readonly Rename[], allowDrop: boolean): Plan {
  const words = wordMap(from, to, renames);
  const target = new Map(to.tables.map((t) => [key(t.name), t]));
  const pairs: TablePlan[] = [];
  const removed: TableModel[] = [];
  const paired = new Set<string>();
  const warnings: string[] = [];
  for (const table of from.tables) {
    const other = target.get(key(words.tables.get(key(table.name)) ?? table.name));
    if (other === undefined || other.kind !== table.kind || (table.kind === 'virtual' && table.sql !== other.sql)) {
      if (other !== undefined) warnings.push(`virtual table ${table.name} is dropped and created again: its rows are lost`);
      removed.push(table);
      continue;
    }
    paired.add(key(other.name));
    if (table.kind === 'table') pairs.push(tablePlan(table, other, words));
  }
  const added = to.tables.filter((t) => !paired.has(key(t.name)));
  const dropped = removed.filter((t) => added.every((a) => key(a.name) !== key(t.name)));
  refuseGuesses(dropped, added, pairs, allowDrop);
  for (const t of dropped) warnings.push(`table ${t.name} is dropped: its rows are lost`);
  for (const p of pairs)
    for (const c of p.dropped)
      warnings.push(`table ${p.to.name}: column ${nameOf(p.from, c.key)} is dropped: its values are lost`);
  for (const p of pairs.filter((x) => x.mode === 'rebuild')) warnings.push(...rebuildWarnings(p));

  // Every table whose name or columns change: what reads it is dropped first and made again from TO.
  const touched = new Set([
    ...removed.map((t) => key(t.name)),
    ...pairs.filter((p) => p.mode === 'rebuild' || p.dropped.length > 0 || p.renamed.length > 0).map((p) => key(p.from.name)),
    ...pairs.filter((p) => key(p.from.name) !== key(p.to.name)).map((p) => key(p.from.name)),
  ]);
  const rebuilt = new Set(pairs.filter((p) => p.mode === 'rebuild').map((p) => key(p.to.name)));
  const views = statementChanges(from.views, to.views, touched, (v) => v.name);
  const triggers = statementChanges(
    from.triggers,
    to.triggers,
    new Set([...touched, ...views.dropped.map((v) => key(v.name))]),
    (t) => t.table,
  );
  const keptIndexes = new Set(from.indexes.filter((i) => sameIndex(i, to.indexes, words, rebuilt)).map((i) => key(i.name)));

  const statements: string[] = [];
  for (const t of triggers.dropped) statements.push(`DROP TRIGGER ${quoteIdentifier(t.name)}`);
  for (const v of ordered(views.dropped, from.views).reverse()) statements.push(`DROP VIEW ${quoteIdentifier(v.name)}`);
  for (const i of from.indexes) if (!keptIndexes.has(key(i.name))) statements.push(`DROP INDEX ${quoteIdentifier(i.name)}`);
  for (const t of removed) statements.push(`DROP TABLE ${quoteIdentifier(t.name)}`);
  for (const p of pairs) {
    if (key(p.from.name) !== key(p.to.name)) {
      statements.push(`ALTER TABLE ${quoteIdentifier(p.from.name)} RENAME TO ${quoteIdentifier(p.to.name)}`);
    }
  }
  const altered = pairs.filter((p) => p.mode === 'alter');
  const drops = (p: TablePlan) =>
    p.dropped.map((c) => `ALTER TABLE ${quoteIdentifier(p.to.name)} DROP COLUMN ${quoteIdentifier(nameOf(p.from, c.key))}`);
  // SQLite refuses to drop a table's last column: when every column goes, the new ones come first (no name is both).
  const lastGoes = (p: TablePlan) => p.dropped.length === p.from.columns.length;
  for (const p of altered) {
    if (!lastGoes(p)) statements.push(...drops(p));
    statements.push(...columnRenames(quoteIdentifier(p.to.name), p));
  }
  // New columns come after every rename: RENAME COLUMN would rewrite the REFERENCES of one added before it.
  for (const p of altered) {
    for (const c of p.added) statements.push(`ALTER TABLE ${quoteIdentifier(p.to.name)} ADD COLUMN ${c.text}`);
    if (lastGoes(p)) statements.push(...drops(p));
  }
  for (const t of added) statements.push(createOf(t));
  for (const p of pairs) if (p.mode === 'rebuild') statements.push(...rebuild(p));
  for (const i of to.indexes) {
    if (!from.indexes.some((f) => keptIndexes.has(key(f.name)) && key(f.name) === key(i.name))) statements.push(indexSql(i));
  }
  for (const v of ordered(views.created, to.views)) statements.push(v.create ?? v.sql);
  for (const t of triggers.created) statements.push(t.create ?? t.sql);

  const parents = new Set(from.tables.flatMap((t) => t.foreignKeys.map((k) => key(k.table))));
  const foreignKeysOff = rebuilt.size > 0 || removed.some((t) => parents.has(key(t.name)));
  return { statements, warnings, foreignKeysOff };
}

/** The renames as maps of words: table key → TO name, and per FROM table key, column key → TO name. */
interface WordMap {
  readonly tables: Map<string, string>;
  readonly columns: Map<string, Map<string, string>>;
}

function wordMap(from: SchemaModel, to: SchemaModel, renames: readonly Rename[]): WordMap {
  const tables = new Map<string, string>();
  const columns = new Map<string, Map<string, string>>();
  const tableIn = (schema: SchemaModel, name: string) => schema.tables.find((t) => key(t.name) === key(name));
  for (const rename of renames) {
    const shown = rename.column === undefined ? `${rename.table}=${rename.to}` : `${rename.table}.${rename.column}=${rename.to}`;
    const refuse = (why: string): never => {
      throw new StrataError('INVALID_OPTION', `--rename ${shown}: ${why}`);
    };
    const table = tableIn(from, rename.table) ?? refuse(`there is no table ${rename.table} in the current schema`);
    if (rename.column === undefined) {
      if (tableIn(to, rename.to) === undefined) refuse(`there is no table ${rename.to} in the new schema`);
      if (tableIn(from, rename.to) !== undefined && key(rename.to) !== key(rename.table))
        refuse(`table ${rename.to} already exists in the current schema`);
      tables.set(key(table.name), rename.to);
      continue;
    }
    const column = rename.column;
    if (!table.columns.some((c) => key(c.name) === key(column))) refuse(`table ${table.name} has no column ${column}`);
    const map = columns.get(key(table.name)) ?? new Map<string, string>();
    map.set(key(column), rename.to);
    columns.set(key(table.name), map);
  }
  for (const [table, map] of columns) {
    const renamed = tables.get(table) ?? table;
    const other = tableIn(to, renamed);
    for (const [column, name] of map) {
      if (other !== undefined && !other.columns.some((c) => key(c.name) === key(name)))
        throw new StrataError(
          'INVALID_OPTION',
          `--rename ${table}.${column}=${name}: the new schema's table ${renamed} has no column ${name}`,
        );
    }
  }
  return { tables, columns };
}

/** The renames of `renames`, the other way: each names its table as it is in TO. */
function reversed(from: SchemaModel, renames: readonly Rename[]): Rename[] {
  const tables = new Map(renames.filter((r) => r.column === undefined).map((r) => [key(r.table), r.to]));
  return renames.map((r) => {
    const table = tables.get(key(r.table)) ?? from.tables.find((t) => key(t.name) === key(r.table))?.name ?? r.table;
    return r.column === undefined ? { table: r.to, to: r.table } : { table, column: r.to, to: r.column };
  });
}

/** `text` with each word that names a renamed table or (of `table`) a renamed column spelt as in TO. */
function mapWords(text: string, words: WordMap, table: string): string {
  const columns = words.columns.get(table);
  let out = '';
  let at = 0;
  for (const token of tokenize(text)) {
    if (token.kind !== 'word' && token.kind !== 'quoted') continue;
    const word = spelling(text, token);
    const renamed = columns?.get(word) ?? words.tables.get(word);
    if (renamed === undefined) continue;
    out += text.slice(at, token.start) + canonicalSql(quoteIdentifier(renamed));
    at = token.end;
  }
  return out + text.slice(at);
}

function tablePlan(from: TableModel, to: TableModel, words: WordMap): TablePlan {
  const a = definitionOf(from);
  const b = definitionOf(to);
  const own = key(from.name);
  const renamedTo = words.columns.get(own) ?? new Map<string, string>();
  const columns = new Map<string, string>();
  const dropped: ColumnDefinition[] = [];
  // A column another one is renamed to, and not renamed itself, is gone: its name now belongs to the other.
  const claimed = new Set([...renamedTo].filter(([k, name]) => k !== key(name)).map(([, name]) => key(name)));
  for (const c of a.columns) {
    const name = renamedTo.get(c.key) ?? c.key;
    if (!renamedTo.has(c.key) && claimed.has(c.key)) {
      dropped.push(c);
      continue;
    }
    const other = b.columns.find((d) => d.key === key(name));
    if (other === undefined) dropped.push(c);
    else columns.set(c.key, nameOf(to, other.key));
  }
  const targets = new Set([...columns.values()].map(key));
  const added = b.columns.filter((c) => !targets.has(c.key));
  const renamed = [...columns]
    .filter(([k, name]) => k !== key(name))
    .map(([k, name]): [string, string] => [nameOf(from, k), name]);
  const same = (x: string, y: string) => mapWords(x, words, own) === y;
  const kept = a.columns.filter((c) => columns.has(c.key));
  const cheap =
    a.options === b.options &&
    a.constraints.length === b.constraints.length &&
    a.constraints.every((c, i) => same(c, b.constraints[i] ?? '')) &&
    kept.every((c, i) => b.columns[i]?.key === key(columns.get(c.key) ?? '') && same(c.rest, b.columns[i]?.rest ?? '')) &&
    added.every((c) => addable(c, to)) &&
    dropped.every((c) => droppable(c, from, a));
  const mode = !cheap ? 'rebuild' : dropped.length + added.length + renamed.length === 0 ? 'same' : 'alter';
  return { from, to, columns, dropped, added, renamed, mode };
}

function definitionOf(table: TableModel): TableDefinition {
  if (table.create === undefined) {
    throw new StrataError(
      'INVALID_OPTION',
      `table ${table.name} has no CREATE TABLE statement in its model: read it with readSchema`,
    );
  }
  return parseTable(table.create);
}

/** The column's name as the table's model spells it. */
function nameOf(table: TableModel, column: string): string {
  return table.columns.find((c) => key(c.name) === column)?.name ?? column;
}

const CONSTANT = /^(null|true|false|[-+]?(\d+(\.\d*)?|\.\d+)(e[-+]?\d+)?|0x[0-9a-f]+|'([^']|'')*'|x'[0-9a-f]*')$/i;

/** What `ALTER TABLE … ADD COLUMN` accepts: no key, a constant default (not NULL when NOT NULL), no STORED column. */
function addable(column: ColumnDefinition, table: TableModel): boolean {
  const model = table.columns.find((c) => key(c.name) === column.key);
  const words = wordsOf(column.rest);
  if (model === undefined || words.has('primary') || words.has('unique') || model.hidden === 3) return false;
  const fallback = model.default;
  if (fallback !== null && !CONSTANT.test(fallback)) return false;
  if (model.notNull && (fallback === null || fallback === 'null') && model.hidden === 0) return false;
  return !(words.has('references') && fallback !== null && fallback !== 'null');
}

/** What `ALTER TABLE … DROP COLUMN` accepts: not a key, not in a foreign key, not named by another part of the table. */
function droppable(column: ColumnDefinition, table: TableModel, definition: TableDefinition): boolean {
  const model = table.columns.find((c) => key(c.name) === column.key);
  const words = wordsOf(column.rest);
  if (model === undefined || model.primaryKey > 0 || words.has('primary') || words.has('unique')) return false;
  if (table.foreignKeys.some((k) => k.columns.some((c) => key(c) === column.key))) return false;
  const elsewhere = [...definition.constraints, ...definition.columns.filter((c) => c !== column).map((c) => c.rest)];
  return !elsewhere.some((text) => wordsOf(text).has(column.key));
}

/** Refuses to guess: a table or column gone while another came (`AMBIGUOUS_CHANGE`), or a drop not allowed. */
function refuseGuesses(
  dropped: readonly TableModel[],
  added: readonly TableModel[],
  pairs: readonly TablePlan[],
  allowDrop: boolean,
) {
  if (allowDrop) return;
  const ambiguous: string[] = [];
  const candidates: string[] = [];
  const plain = (tables: readonly TableModel[]) => tables.filter((t) => t.kind === 'table');
  if (plain(dropped).length > 0 && plain(added).length > 0) {
    const names = (tables: readonly TableModel[]) => plain(tables).map((t) => t.name);
    ambiguous.push(`${things('table', names(dropped), 'disappear')} while ${things('table', names(added), 'appear')}`);
    for (const a of plain(dropped)) for (const b of plain(added)) candidates.push(`--rename ${a.name}=${b.name}`);
  }
  for (const p of pairs) {
    if (p.dropped.length === 0 || p.added.length === 0) continue;
    const names = (table: TableModel, cs: readonly ColumnDefinition[]) => cs.map((c) => nameOf(table, c.key));
    const gone = things('column', names(p.from, p.dropped), 'disappear');
    ambiguous.push(`table ${p.from.name}: ${gone} while ${things('column', names(p.to, p.added), 'appear')}`);
    for (const a of p.dropped)
      for (const b of p.added) candidates.push(`--rename ${p.from.name}.${nameOf(p.from, a.key)}=${nameOf(p.to, b.key)}`);
  }
  if (ambiguous.length > 0) {
    throw new StrataError(
      'AMBIGUOUS_CHANGE',
      `${ambiguous.join('; ')}: a rename or a drop? Say which with ${candidates.join(' or ')}, or --allow-drop to drop and create`,
    );
  }
  const drops = [
    ...dropped.map((t) => `table ${t.name}`),
    ...pairs.flatMap((p) => p.dropped.map((c) => `column ${p.from.name}.${nameOf(p.from, c.key)}`)),
  ];
  if (drops.length > 0) {
    throw new StrataError(
      'DESTRUCTIVE_CHANGE',
      `the new schema drops ${drops.join(', ')}, whose rows or values would be lost: pass --allow-drop to write the drop`,
    );
  }
}

/** `column email disappears`, `columns mail and name appear`. */
function things(noun: string, names: readonly string[], verb: string): string {
  if (names.length === 1) return `${noun} ${names[0]} ${verb}s`;
  return `${noun}s ${names.slice(0, -1).join(', ')} and ${names.at(-1)} ${verb}`;
}

function rebuildWarnings(p: TablePlan): string[] {
  const warnings: string[] = [];
  if (!p.from.strict && p.to.strict) {
    warnings.push(`table ${p.to.name} becomes STRICT: copying the rows fails if a value does not fit its column's type`);
  }
  for (const c of p.to.columns) {
    const source = [...p.columns].find(([, name]) => key(name) === key(c.name));
    const was = source === undefined ? undefined : p.from.columns.find((d) => key(d.name) === source[0]);
    if (c.hidden !== 0) continue;
    if (was === undefined && c.notNull && c.default === null) {
      warnings.push(
        `table ${p.to.name}: column ${c.name} is NOT NULL without a default: copying the rows fails if there are any`,
      );
    }
    if (was === undefined) continue;
    if (was.type !== c.type) {
      warnings.push(
        `table ${p.to.name}: column ${c.name} changes type ${was.type || '(none)'} → ${c.type || '(none)'}: SQLite converts the values it can`,
      );
    }
    // An INTEGER PRIMARY KEY of a rowid table is the rowid, never NULL, whatever it declares.
    const keys = p.from.columns.filter((d) => d.primaryKey > 0).length;
    const rowid = !p.from.withoutRowid && keys === 1 && was.primaryKey === 1 && was.type === 'INTEGER';
    if (!was.notNull && c.notNull && !rowid)
      warnings.push(`table ${p.to.name}: column ${c.name} becomes NOT NULL: copying the rows fails if one holds NULL`);
  }
  return warnings;
}

/**
 * The RENAME COLUMN statements of a table. When a new name is one another renamed column has now (two names
 * swapped, say), SQLite would refuse the first rename as a duplicate, so each column goes through a name of its own first.
 */
function columnRenames(table: string, p: TablePlan): string[] {
  const rename = (a: string, b: string) => `ALTER TABLE ${table} RENAME COLUMN ${quoteIdentifier(a)} TO ${quoteIdentifier(b)}`;
  const current = new Set(p.renamed.map(([a]) => key(a)));
  if (!p.renamed.some(([a, b]) => key(a) !== key(b) && current.has(key(b)))) return p.renamed.map(([a, b]) => rename(a, b));
  const staged = p.renamed.map(([a, b], i): [string, string, string] => [a, `strata_rename_${i}`, b]);
  return [...staged.map(([a, via]) => rename(a, via)), ...staged.map(([, via, b]) => rename(via, b))];
}

/** SQLite's rebuild of one table: the new table under another name, the rows copied, the old one dropped, the new renamed. */
function rebuild(p: TablePlan): string[] {
  const staging = quoteIdentifier(`${p.to.name}_strata_new`);
  const plain = (columns: readonly ColumnModel[], name: string) =>
    columns.some((c) => key(c.name) === key(name) && c.hidden === 0);
  const copied = [...p.columns].filter(([from, to]) => plain(p.from.columns, from) && plain(p.to.columns, to));
  const statements = [`CREATE TABLE ${staging} ${definitionOf(p.to).body}`];
  if (copied.length > 0) {
    const into = copied.map(([, to]) => quoteIdentifier(to)).join(', ');
    const select = copied.map(([from]) => quoteIdentifier(nameOf(p.from, from))).join(', ');
    statements.push(`INSERT INTO ${staging} (${into}) SELECT ${select} FROM ${quoteIdentifier(p.to.name)}`);
  } else if (!p.to.withoutRowid) {
    // No column is kept, but the rows are: each comes over with its rowid (a new one from a WITHOUT ROWID table).
    const rowid = p.from.withoutRowid ? 'NULL' : 'rowid';
    statements.push(`INSERT INTO ${staging} (rowid) SELECT ${rowid} FROM ${quoteIdentifier(p.to.name)}`);
  }
  statements.push(`DROP TABLE ${quoteIdentifier(p.to.name)}`, `ALTER TABLE ${staging} RENAME TO ${quoteIdentifier(p.to.name)}`);
  return statements;
}

function createOf(table: TableModel): string {
  if (table.kind === 'virtual') return table.create ?? table.sql ?? '';
  definitionOf(table);
  return table.create ?? '';
}

/** Whether index `index` of FROM is in TO as it is, on a table that is not rebuilt, so it can stay. */
function sameIndex(index: IndexModel, to: readonly IndexModel[], words: WordMap, rebuilt: ReadonlySet<string>): boolean {
  const other = to.find((i) => key(i.name) === key(index.name));
  if (other === undefined || rebuilt.has(key(other.table))) return false;
  const own = key(index.table);
  const map = (text: string) => mapWords(text, words, own);
  return (
    key(words.tables.get(own) ?? index.table) === key(other.table) &&
    index.unique === other.unique &&
    index.columns.map(map).join(',') === other.columns.join(',') &&
    (index.where === null ? null : map(index.where)) === other.where
  );
}

/** The index's `CREATE INDEX`: as SQLite keeps it, or made from the model, whose keys and WHERE are SQL text. */
function indexSql(index: IndexModel): string {
  if (index.create !== undefined) return index.create;
  const where = index.where === null ? '' : ` WHERE ${index.where}`;
  return `CREATE ${index.unique ? 'UNIQUE ' : ''}INDEX ${quoteIdentifier(index.name)} ON ${quoteIdentifier(index.table)} (${index.columns.join(', ')})${where}`;
}

/** Views or triggers to drop (gone, changed, or reading a table in `touched`) and to make (new, or dropped and still in TO). */
function statementChanges(
  from: readonly StatementObjectModel[],
  to: readonly StatementObjectModel[],
  touched: ReadonlySet<string>,
  on: (o: StatementObjectModel) => string,
) {
  const dropped = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const o of from) {
      if (dropped.has(key(o.name))) continue;
      const other = to.find((t) => key(t.name) === key(o.name));
      const reads = wordsOf(o.sql);
      const stale =
        other === undefined ||
        other.sql !== o.sql ||
        touched.has(key(on(o))) ||
        [...touched, ...dropped].some((name) => reads.has(name));
      if (stale) {
        dropped.add(key(o.name));
        grew = true;
      }
    }
  }
  const kept = new Set(from.filter((o) => !dropped.has(key(o.name))).map((o) => key(o.name)));
  return {
    dropped: from.filter((o) => dropped.has(key(o.name))),
    created: to.filter((o) => !kept.has(key(o.name))),
  };
}

/** `views` in an order each can be made in: a view after the views it reads. */
function ordered(views: readonly StatementObjectModel[], all: readonly StatementObjectModel[]): StatementObjectModel[] {
  const names = new Set(all.map((v) => key(v.name)));
  const result: StatementObjectModel[] = [];
  const done = new Set<string>();
  const visit = (view: StatementObjectModel, path: Set<string>) => {
    if (done.has(key(view.name)) || path.has(key(view.name))) return;
    path.add(key(view.name));
    for (const word of wordsOf(view.sql)) {
      const read = names.has(word) ? views.find((v) => key(v.name) === word) : undefined;
      if (read !== undefined && read !== view) visit(read, path);
    }
    done.add(key(view.name));
    result.push(view);
  };
  for (const view of views) visit(view, new Set());
  return result;
}
