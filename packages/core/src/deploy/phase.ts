import { foreignKeyText } from '../schema/diff.js';
import type { ColumnModel, ForeignKeyModel, IndexModel, SchemaModel, TableModel } from '../schema/model.js';
import { canonicalSql } from '../schema/normalize.js';
import { spelling, tokenize } from '../sql/tokens.js';
import { type ConflictClause, type TableConstraints, tableConstraints } from './table-constraints.js';

/**
 * When a migration may run during a blue-green (or rolling) deployment: `expand` while the previous version of the
 * application still uses the database (everything it reads and writes keeps working), `contract` only once it is gone.
 */
export type Phase = 'expand' | 'contract';

/** One thing a migration changes in the schema, and the phase that change needs, as a sentence. */
export interface PhaseChange {
  readonly phase: Phase;
  /** `column people.full_name removed: the previous version's statements naming it fail`. */
  readonly message: string;
}

/** A migration's phase and why: `contract` when any change is, `expand` otherwise (a migration changing no schema too). */
export interface PhaseVerdict {
  readonly phase: Phase;
  readonly changes: readonly PhaseChange[];
}

/** What a view gives its readers: its columns, or the error SQLite reports reading it (a view of a dropped table). */
export interface ViewShape {
  readonly columns?: readonly string[];
  readonly error?: string;
}

/**
 * A schema as the phase classification reads it: the model, and what each view returns, which only the engine can
 * say (see `readPhaseSnapshot`).
 */
export interface PhaseSnapshot {
  readonly schema: SchemaModel;
  /** Lower-cased view name → its shape. */
  readonly views: ReadonlyMap<string, ViewShape>;
}

/**
 * Classifies the change from `before` to `after`. A change is `contract` when a statement of the previous version of
 * the application, written for `before`, could stop working: something it reads is gone or returns something else (a
 * table, view or column removed or renamed, a view that no longer works, a column's type affinity or collation changed,
 * WITHOUT ROWID added), or a write it makes could now be refused (a NOT NULL column added without a default, NOT NULL,
 * CHECK, UNIQUE or a foreign key added, STRICT added, a default removed from a NOT NULL column, a primary key changed or
 * made or unmade the rowid, a foreign key no longer deferred to commit, a column made generated, a trigger that can
 * RAISE). Everything else is `expand`: tables, views, nullable or defaulted columns, indexes and triggers that only
 * write added, unique indexes and triggers on tables the same change adds, constraints relaxed.
 *
 * @example
 * ```ts
 * const { phase, changes } = classifyChange(before, after);
 * // 'contract', [{ phase: 'contract', message: "column people.full_name removed: the previous version's statements naming it fail" }]
 * ```
 */
export function classifyChange(before: PhaseSnapshot, after: PhaseSnapshot): PhaseVerdict {
  const renames = findRenames(before.schema, after.schema);
  const changes: PhaseChange[] = [
    ...tableChanges(before, after, renames),
    ...indexChanges(before.schema, after.schema, renames),
    ...viewChanges(before, after),
    ...triggerChanges(before.schema, after.schema, renames),
  ];
  return { phase: changes.some((c) => c.phase === 'contract') ? 'contract' : 'expand', changes };
}

const expand = (message: string): PhaseChange => ({ phase: 'expand', message });
const contract = (message: string): PhaseChange => ({ phase: 'contract', message });
const key = (name: string) => name.toLowerCase();
const byName = <T extends { readonly name: string }>(list: readonly T[]) => new Map(list.map((o) => [key(o.name), o]));

/**
 * What a change renamed, as `ALTER TABLE … RENAME` does: a table that disappears while one with the same columns
 * appears; a column that disappears while one of the same definition appears in its place.
 */
interface Renames {
  /** Old name → new name, both lower-cased. */
  readonly tables: ReadonlyMap<string, string>;
  /** By the table's new name, lower-cased: old column name → new column name, both lower-cased. */
  readonly columns: ReadonlyMap<string, ReadonlyMap<string, string>>;
}

function findRenames(before: SchemaModel, after: SchemaModel): Renames {
  const old = byName(before.tables);
  const now = byName(after.tables);
  const shape = (t: TableModel) => `${t.kind}:${t.columns.map((c) => `${key(c.name)} ${c.type}`).join(',')}`;
  const tables = new Map<string, string>();
  const appeared = after.tables.filter((t) => !old.has(key(t.name)));
  for (const table of before.tables) {
    if (now.has(key(table.name))) continue;
    const to = appeared.find((t) => shape(t) === shape(table) && ![...tables.values()].includes(key(t.name)));
    if (to !== undefined) tables.set(key(table.name), key(to.name));
  }
  const columns = new Map<string, Map<string, string>>();
  for (const table of before.tables) {
    const next = now.get(tables.get(key(table.name)) ?? key(table.name));
    if (next === undefined) continue;
    const had = byName(table.columns);
    const has = byName(next.columns);
    const renamed = new Map<string, string>();
    table.columns.forEach((column, i) => {
      const there = next.columns[i];
      if (has.has(key(column.name)) || there === undefined || had.has(key(there.name))) return;
      const same =
        there.type === column.type &&
        there.notNull === column.notNull &&
        there.default === column.default &&
        there.primaryKey === column.primaryKey &&
        there.hidden === column.hidden;
      if (same) renamed.set(key(column.name), key(there.name));
    });
    if (renamed.size > 0) columns.set(key(next.name), renamed);
  }
  return { tables, columns };
}

/** `text` (normalised SQL) with each identifier in `names` replaced by what it is renamed to. */
function renamedIn(text: string, names: ReadonlyMap<string, string> | undefined): string {
  if (names === undefined || names.size === 0) return text;
  let out = '';
  let at = 0;
  for (const token of tokenize(text)) {
    if (token.kind !== 'word' && token.kind !== 'quoted') continue;
    const to = names.get(spelling(text, token));
    if (to === undefined) continue;
    // Quoted, as a name such as `first name` needs; canonicalSql drops the quotes a plain name does not need.
    out += `${text.slice(at, token.start)}"${to.replaceAll('"', '""')}"`;
    at = token.end;
  }
  return canonicalSql(out + text.slice(at));
}

function tableChanges(before: PhaseSnapshot, after: PhaseSnapshot, renames: Renames): PhaseChange[] {
  const changes: PhaseChange[] = [];
  const old = byName(before.schema.tables);
  const now = byName(after.schema.tables);
  const targets = new Set(renames.tables.values());
  const tablesAdded = after.schema.tables.some((t) => !old.has(key(t.name)) && !targets.has(key(t.name)));
  for (const table of before.schema.tables) {
    const name = key(table.name);
    const renamedTo = renames.tables.get(name);
    const next = now.get(renamedTo ?? name);
    if (next !== undefined && renamedTo !== undefined) {
      changes.push(
        contract(`table ${table.name} renamed to ${next.name}: the previous version's statements on ${table.name} fail`),
      );
    }
    if (next !== undefined) changes.push(...changesOfTable(table, next, before.schema, renames));
    else if (after.views.has(name)) {
      changes.push(contract(`table ${table.name} is now a view: the previous version's writes to it fail`));
    } else {
      const renamed = tablesAdded ? ' (or renamed)' : '';
      changes.push(contract(`table ${table.name} removed${renamed}: the previous version's statements on it fail`));
    }
  }
  for (const table of after.schema.tables) {
    if (!old.has(key(table.name)) && !targets.has(key(table.name))) changes.push(expand(`table ${table.name} added`));
  }
  return changes;
}

/** What changed in a table kept under its name; unique indexes, which SQLite keeps apart, are {@link indexChanges}'. */
function changesOfTable(a: TableModel, b: TableModel, schemaA: SchemaModel, renames: Renames): PhaseChange[] {
  // The same statement is the same table (SQLite rewrites it for every change), and most tables of a step are unchanged.
  if (a === b || (a.create !== undefined && a.create === b.create && a.name === b.name)) return [];
  const columnRenames = renames.columns.get(key(b.name));
  const t = b.name;
  if (a.kind !== b.kind || (a.kind === 'virtual' && a.sql !== b.sql)) {
    const now = b.kind === 'virtual' ? `virtual table ${b.sql ?? ''}` : 'table';
    return [contract(`table ${t} is now ${now}: the previous version's statements on it may fail`)];
  }
  const changes: PhaseChange[] = [];
  if (!a.strict && b.strict) {
    changes.push(contract(`table ${t} made STRICT: a value of another type, which the previous version may write, is refused`));
  } else if (a.strict && !b.strict) changes.push(expand(`table ${t} no longer STRICT`));
  if (!a.withoutRowid && b.withoutRowid) {
    changes.push(contract(`table ${t} made WITHOUT ROWID: the previous version's reads of its rowid fail`));
  } else if (a.withoutRowid && !b.withoutRowid) changes.push(expand(`table ${t} no longer WITHOUT ROWID`));
  const oldColumns = byName(a.columns);
  const newColumns = byName(b.columns);
  const renamedTo = new Set(columnRenames?.values() ?? []);
  const columnsAdded = b.columns.some((c) => !oldColumns.has(key(c.name)) && !renamedTo.has(key(c.name)));
  const partsA = tableConstraints(a.create ?? '');
  const partsB = tableConstraints(b.create ?? '');
  for (const column of a.columns) {
    const to = columnRenames?.get(key(column.name));
    const next = newColumns.get(to ?? key(column.name));
    const c = `column ${t}.${column.name}`;
    if (next !== undefined && to !== undefined) {
      changes.push(contract(`${c} renamed to ${next.name}: the previous version's statements naming ${column.name} fail`));
    }
    if (next === undefined) {
      const renamed = columnsAdded ? ' (or renamed)' : '';
      changes.push(contract(`${c} removed${renamed}: the previous version's statements naming it fail`));
    } else changes.push(...changesOfColumn(c, column, next, b.strict, partsA, partsB));
  }
  for (const column of b.columns) {
    if (oldColumns.has(key(column.name)) || renamedTo.has(key(column.name))) continue;
    const c = `column ${t}.${column.name}`;
    if (column.notNull && !hasDefault(column) && column.hidden < 2 && column.primaryKey === 0) {
      changes.push(contract(`${c} added NOT NULL without a default: the previous version's inserts, which do not name it, fail`));
    } else changes.push(expand(`${c} added`));
  }
  // A key as it reads after the renames: a column's name, or a name and its collation.
  const renamed = (c: string) => columnRenames?.get(key(c)) ?? renamedIn(key(c), columnRenames);
  const [keyA, keyB] = [primaryKey(a, partsA), primaryKey(b, partsB)];
  const renamedKeyA = keyA.map(renamed);
  if (key(renamedKeyA.join(', ')) !== key(keyB.join(', '))) {
    const shown = (k: readonly string[]) => (k.length === 0 ? '(rowid)' : `(${k.join(', ')})`);
    changes.push(
      contract(
        `table ${t}: primary key ${shown(keyA)} → ${shown(keyB)}: the previous version's writes may conflict, its reads by key find other rows`,
      ),
    );
  }
  const [aliasA, aliasB] = [rowidAlias(a, partsA), rowidAlias(b, partsB)];
  const renamedAliasA = aliasA === undefined ? undefined : (columnRenames?.get(aliasA) ?? aliasA);
  if (key(renamedKeyA.join(', ')) === key(keyB.join(', ')) && !b.withoutRowid && renamedAliasA !== aliasB) {
    if (aliasA !== undefined) {
      changes.push(
        contract(
          `column ${t}.${renamedAliasA} no longer an alias of the rowid: the previous version's inserts that leave it out no longer get a new key`,
        ),
      );
    } else if (aliasB !== undefined && !b.strict) {
      // A STRICT table refuses a non-integer in an INTEGER column already.
      changes.push(
        contract(`column ${t}.${aliasB} made an alias of the rowid: the previous version's writes of a non-integer to it fail`),
      );
    }
  }
  // The old table's constraints as they read after the renames, which SQLite writes into them.
  const oldChecks = partsA.checks.map((check) => renamedIn(check, columnRenames));
  const checksA = new Set(oldChecks);
  const checksB = new Set(partsB.checks);
  for (const check of partsB.checks) {
    if (!checksA.has(check)) {
      changes.push(contract(`table ${t}: CHECK (${check}) added: the previous version's writes may violate it`));
    }
  }
  for (const check of oldChecks) if (!checksB.has(check)) changes.push(expand(`table ${t}: CHECK (${check}) removed`));
  const oldUniques = partsA.uniques.map((u) => u.map(renamed));
  const uniqueA = uniqueKeys(a, partsA, schemaA).map((u) => u.map(renamed));
  for (const columns of partsB.uniques) {
    if (oldUniques.some((u) => sameColumns(u, columns))) continue;
    const shown = `UNIQUE (${columns.join(', ')})`;
    if (implied(uniqueA, columns)) changes.push(expand(`table ${t}: ${shown} added, implied by an existing key`));
    else changes.push(contract(`table ${t}: ${shown} added: the previous version's writes may violate it`));
  }
  for (const columns of oldUniques) {
    if (!partsB.uniques.some((u) => sameColumns(u, columns))) {
      changes.push(expand(`table ${t}: UNIQUE (${columns.join(', ')}) removed`));
    }
  }
  const keysA = new Set(a.foreignKeys.map((k) => foreignKeyText(renamedKey(k, columnRenames, renames))));
  const keysB = new Set(b.foreignKeys.map(foreignKeyText));
  for (const k of keysB) {
    if (!keysA.has(k)) changes.push(contract(`table ${t}: foreign key ${k} added: the previous version's writes may violate it`));
  }
  for (const k of keysA) if (!keysB.has(k)) changes.push(expand(`table ${t}: foreign key ${k} removed`));
  const signature = (columns: readonly string[], table: string) => [...columns, table].map(key).join('\0');
  // A conflict clause changed on a constraint both have: a write of the previous version that broke it was refused
  // and is now dropped or replaces a row (IGNORE, REPLACE), or succeeded and is now refused.
  const clause = (c: Omit<ConflictClause, 'resolution'>) =>
    c.constraint === 'NOT NULL' ? `NOT NULL on ${c.columns.join(', ')}` : `${c.constraint} (${c.columns.join(', ')})`;
  const conflictsA = new Map(
    partsA.conflicts.map((c) => [clause({ ...c, columns: c.columns.map((n) => columnRenames?.get(n) ?? n) }), c.resolution]),
  );
  const conflictsB = new Map(partsB.conflicts.map((c) => [clause(c), c.resolution]));
  const constraintsA = new Set(
    constraintsOf(a, partsA).map((c) => clause({ ...c, columns: c.columns.map((n) => columnRenames?.get(n) ?? n) })),
  );
  const constraintsB = new Set(constraintsOf(b, partsB).map(clause));
  for (const named of new Set([...conflictsA.keys(), ...conflictsB.keys()])) {
    if (!constraintsA.has(named) || !constraintsB.has(named)) continue;
    const [was, now] = [conflictsA.get(named) ?? 'abort', conflictsB.get(named) ?? 'abort'];
    if (was === now) continue;
    changes.push(
      contract(
        `table ${t}: ${named} ON CONFLICT ${was.toUpperCase()} → ${now.toUpperCase()}: the previous version's writes that break it now ${CONFLICT_OUTCOME[now] ?? 'end otherwise'}`,
      ),
    );
  }
  const deferredA = new Set(
    partsA.deferred.map((d) =>
      signature(
        d.columns.map((c) => columnRenames?.get(key(c)) ?? c),
        renames.tables.get(key(d.table)) ?? d.table,
      ),
    ),
  );
  const deferredB = new Set(partsB.deferred.map((d) => signature(d.columns, d.table)));
  for (const k of b.foreignKeys) {
    const text = foreignKeyText(k);
    const deferred = signature(k.columns, k.table);
    if (!keysA.has(text) || deferredA.has(deferred) === deferredB.has(deferred)) continue;
    if (deferredB.has(deferred)) changes.push(expand(`table ${t}: foreign key ${text} now checked at commit`));
    else {
      changes.push(
        contract(
          `table ${t}: foreign key ${text} no longer DEFERRABLE INITIALLY DEFERRED: the previous version's writes that satisfy it only by their commit fail`,
        ),
      );
    }
  }
  return changes;
}

/** A table's primary key: its columns in key order, each with the collation its `PRIMARY KEY (…)` gives it, if any. */
function primaryKey(table: TableModel, parts: TableConstraints): readonly string[] {
  return (
    parts.primaryKey ??
    table.columns
      .filter((c) => c.primaryKey > 0)
      .sort((x, y) => x.primaryKey - y.primaryKey)
      .map((c) => c.name)
  );
}

/**
 * The column that is the rowid under another name, lower-cased: the one column of a rowid table's primary key when its
 * declared type is exactly INTEGER and it is not declared `PRIMARY KEY DESC`.
 */
function rowidAlias(table: TableModel, parts: TableConstraints): string | undefined {
  const keys = table.columns.filter((c) => c.primaryKey > 0);
  const [only] = keys;
  if (table.kind !== 'table' || table.withoutRowid || keys.length !== 1 || only === undefined) return undefined;
  return only.type === 'INTEGER' && parts.descendingKey !== key(only.name) ? key(only.name) : undefined;
}

/** An old foreign key as it reads after the renames: its own columns, its parent table and the parent's columns. */
function renamedKey(k: ForeignKeyModel, own: ReadonlyMap<string, string> | undefined, renames: Renames): ForeignKeyModel {
  const table = renames.tables.get(key(k.table)) ?? k.table;
  const parent = renames.columns.get(key(table));
  return {
    ...k,
    columns: k.columns.map((c) => own?.get(key(c)) ?? c),
    table,
    to: k.to.map((c) => (c === null ? null : (parent?.get(key(c)) ?? c))),
  };
}

function changesOfColumn(
  c: string,
  a: ColumnModel,
  b: ColumnModel,
  strict: boolean,
  partsA: TableConstraints,
  partsB: TableConstraints,
): PhaseChange[] {
  const changes: PhaseChange[] = [];
  if (a.type !== b.type) {
    const [from, to] = [affinity(a.type), affinity(b.type)];
    const types = `type ${a.type || '(none)'} → ${b.type || '(none)'}`;
    if (strict && (from !== to || (a.type === 'ANY') !== (b.type === 'ANY'))) {
      changes.push(contract(`${c}: ${types} in a STRICT table: the previous version's values of the old type are refused`));
    } else if (from !== to) {
      changes.push(
        contract(
          `${c}: ${types}: values the previous version writes are now stored with ${to} affinity, so it may read back another type`,
        ),
      );
    } else changes.push(expand(`${c}: ${types}, the same ${to} affinity`));
  }
  if (!a.notNull && b.notNull) changes.push(contract(`${c} made NOT NULL: the previous version's writes of NULL fail`));
  else if (a.notNull && !b.notNull) changes.push(expand(`${c} may now be NULL`));
  if (a.default !== b.default) {
    if (!hasDefault(b) && b.notNull && b.hidden < 2) {
      changes.push(
        contract(
          `${c}: default ${a.default} removed from a NOT NULL column: the previous version's inserts that do not name it fail`,
        ),
      );
    } else changes.push(expand(`${c}: default ${a.default ?? '(none)'} → ${b.default ?? '(none)'}`));
  }
  if (a.hidden < 2 && b.hidden >= 2) changes.push(contract(`${c} made generated: the previous version's writes to it fail`));
  else if (a.hidden >= 2 && b.hidden < 2) changes.push(expand(`${c} no longer generated`));
  const column = key(b.name);
  const [collationA, collationB] = [partsA.collations.get(key(a.name)) ?? 'binary', partsB.collations.get(column) ?? 'binary'];
  if (collationA !== collationB) {
    changes.push(
      contract(
        `${c}: collation ${collationA.toUpperCase()} → ${collationB.toUpperCase()}: comparing, sorting and uniqueness on it change for the previous version`,
      ),
    );
  }
  return changes;
}

/** Whether an insert that leaves `column` out writes something other than NULL: `DEFAULT NULL` is no default. */
function hasDefault(column: ColumnModel): boolean {
  return column.default !== null && !/^\(*null\)*$/.test(column.default);
}

function indexChanges(before: SchemaModel, after: SchemaModel, renames: Renames): PhaseChange[] {
  const changes: PhaseChange[] = [];
  const old = byName(before.indexes);
  const now = byName(after.indexes);
  for (const index of after.indexes) {
    const found = old.get(key(index.name));
    // As it reads after the renames, which SQLite writes into it.
    const onTable = found === undefined ? undefined : (renames.tables.get(key(found.table)) ?? key(found.table));
    const columns = onTable === undefined ? undefined : renames.columns.get(onTable);
    const was =
      found === undefined || found === index
        ? found
        : {
            ...found,
            table: onTable ?? found.table,
            columns: found.columns.map((c) => renamedIn(c, columns)),
            where: found.where === null ? null : renamedIn(found.where, columns),
          };
    const shown = `${index.unique ? 'unique index' : 'index'} ${index.name} on ${index.table} (${index.columns.join(', ')})`;
    const isNew = was === undefined;
    const changed =
      was !== undefined &&
      (was.unique !== index.unique ||
        key(was.table) !== key(index.table) ||
        was.columns.join(',') !== index.columns.join(',') ||
        was.where !== index.where);
    if (!isNew && !changed) continue;
    const verb = isNew ? 'added' : 'changed';
    if (!index.unique) {
      changes.push(expand(`${shown} ${verb}`));
      continue;
    }
    if (isNew && isNewObject(index.table, before, renames)) {
      changes.push(expand(`${shown} ${verb}: ${index.table} is new, so the previous version does not write to it`));
      continue;
    }
    const table = before.tables.find((t) => key(t.name) === key(index.table));
    const existing = table === undefined ? [] : uniqueKeys(table, tableConstraints(table.create ?? ''), before);
    if (index.where === null && implied(existing, index.columns)) {
      changes.push(expand(`${shown} ${verb}, implied by an existing key`));
    } else changes.push(contract(`${shown} ${verb}: the previous version's writes may violate it`));
  }
  for (const index of before.indexes) {
    if (!now.has(key(index.name))) changes.push(expand(`${index.unique ? 'unique index' : 'index'} ${index.name} removed`));
  }
  return changes;
}

/** The column sets a table's rows are unique by before a change: its primary key, UNIQUE constraints, full unique indexes. */
function uniqueKeys(table: TableModel, parts: TableConstraints, schema: SchemaModel): (readonly string[])[] {
  const primary = primaryKey(table, parts).map(key);
  const indexes = schema.indexes.filter((i) => i.unique && i.where === null && key(i.table) === key(table.name));
  return [...(primary.length > 0 ? [primary] : []), ...parts.uniques, ...indexes.map((i: IndexModel) => i.columns)];
}

/** Whether rows unique by one of `keys` are unique by `columns` too: some key lies within them. */
function implied(keys: readonly (readonly string[])[], columns: readonly string[]): boolean {
  const wanted = new Set(columns.map(key));
  return keys.some((k) => k.length > 0 && k.every((c) => wanted.has(key(c))));
}

function sameColumns(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((c, i) => key(c) === key(b[i] ?? ''));
}

function viewChanges(before: PhaseSnapshot, after: PhaseSnapshot): PhaseChange[] {
  const changes: PhaseChange[] = [];
  const old = byName(before.schema.views);
  const now = byName(after.schema.views);
  for (const view of before.schema.views) {
    const was = before.views.get(key(view.name));
    const next = now.get(key(view.name));
    const shape = after.views.get(key(view.name));
    if (next === undefined || shape === undefined) {
      changes.push(contract(`view ${view.name} removed: the previous version's reads of it fail`));
    } else if (shape.error !== undefined && was?.error === undefined) {
      changes.push(contract(`view ${view.name} no longer works (${shape.error}): the previous version's reads of it fail`));
    } else {
      const lost = (was?.columns ?? []).filter((c) => !(shape.columns ?? []).some((d) => key(d) === key(c)));
      if (lost.length > 0) {
        const list = lost.join(', ');
        changes.push(
          contract(
            `view ${view.name} no longer returns ${lost.length === 1 ? 'column' : 'columns'} ${list}: the previous version's reads of it fail`,
          ),
        );
      } else if (next.sql !== view.sql) changes.push(expand(`view ${view.name} changed; it returns the columns it did`));
    }
  }
  for (const view of after.schema.views) if (!old.has(key(view.name))) changes.push(expand(`view ${view.name} added`));
  return changes;
}

function triggerChanges(before: SchemaModel, after: SchemaModel, renames: Renames): PhaseChange[] {
  const changes: PhaseChange[] = [];
  const old = byName(before.triggers);
  for (const trigger of after.triggers) {
    const was = old.get(key(trigger.name));
    if (was !== undefined && was.sql === trigger.sql) continue;
    const verb = was === undefined ? 'added' : 'changed';
    if (isNewObject(trigger.table, before, renames)) {
      changes.push(
        expand(
          `trigger ${trigger.name} on ${trigger.table} ${verb}: ${trigger.table} is new, so the previous version does not write to it`,
        ),
      );
    } else if (raises(trigger.sql) && (was === undefined || !raises(was.sql))) {
      changes.push(
        contract(
          `trigger ${trigger.name} on ${trigger.table} ${verb}: it calls RAISE, so it may reject the previous version's writes`,
        ),
      );
    } else changes.push(expand(`trigger ${trigger.name} on ${trigger.table} ${verb}`));
  }
  const now = byName(after.triggers);
  for (const trigger of before.triggers) if (!now.has(key(trigger.name))) changes.push(expand(`trigger ${trigger.name} removed`));
  return changes;
}

/** Whether `name` is a table or view that `before` does not have, under that name or another it was renamed from. */
function isNewObject(name: string, before: SchemaModel, renames: Renames): boolean {
  const was = (list: readonly { readonly name: string }[]) => list.some((o) => key(o.name) === key(name));
  return !was(before.tables) && !was(before.views) && ![...renames.tables.values()].includes(key(name));
}

/** Whether a trigger's body calls RAISE (ABORT, FAIL, ROLLBACK or IGNORE), each of which stops the write that fired it. */
function raises(sql: string): boolean {
  const text = canonicalSql(sql);
  let previous = '';
  for (const token of tokenize(text)) {
    if (token.kind === 'space') continue;
    const word = token.kind === 'word' ? spelling(text, token) : text.slice(token.start, token.end);
    if (previous === 'raise' && word === '(') return true;
    previous = word;
  }
  return false;
}

/** SQLite's type affinity of a declared type (section 3.1 of its datatype page). */
export function affinity(type: string): 'INTEGER' | 'TEXT' | 'BLOB' | 'REAL' | 'NUMERIC' {
  const t = type.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t === '' || t.includes('BLOB')) return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

/** What becomes of a write that breaks a constraint, by the constraint's conflict resolution. */
const CONFLICT_OUTCOME: Readonly<Record<string, string>> = {
  replace: 'replace the rows they conflict with',
  ignore: 'vanish without an error',
  abort: 'fail',
  fail: 'fail, keeping what the statement changed before',
  rollback: 'fail and roll back the whole transaction',
};

/** The constraints of a table an `ON CONFLICT` clause can belong to: NOT NULL columns, UNIQUE, the primary key. */
function constraintsOf(table: TableModel, parts: TableConstraints): Omit<ConflictClause, 'resolution'>[] {
  const primary = table.columns
    .filter((c) => c.primaryKey > 0)
    .sort((x, y) => x.primaryKey - y.primaryKey)
    .map((c) => key(c.name));
  return [
    ...table.columns.filter((c) => c.notNull).map((c) => ({ constraint: 'NOT NULL' as const, columns: [key(c.name)] })),
    ...parts.uniques.map((u) => ({ constraint: 'UNIQUE' as const, columns: u.map(key) })),
    ...(primary.length > 0 ? [{ constraint: 'PRIMARY KEY' as const, columns: primary }] : []),
  ];
}
