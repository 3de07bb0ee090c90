import type { ColumnModel, ForeignKeyModel, IndexModel, SchemaModel, StatementObjectModel, TableModel } from './model.js';

/**
 * One way two schemas differ, with a sentence that says it: `table users: column email NOT NULL added`.
 *
 * @example
 * ```ts
 * const change: SchemaDifference = { kind: 'index', name: 'idx_x', change: 'removed', message: 'index idx_x removed' };
 * ```
 */
export interface SchemaDifference {
  readonly kind: 'table' | 'index' | 'view' | 'trigger';
  readonly name: string;
  readonly change: 'added' | 'removed' | 'changed';
  readonly message: string;
}

/**
 * How `after` differs from `before`, object by object and, within a table, column by column; empty when they are
 * the same schema. Definitions are compared as SQLite reads them (see {@link readSchema}), never by the text of their
 * statements.
 *
 * @example
 * ```ts
 * const differences = diffSchemas(expected, await readSchema(driver));
 * for (const d of differences) console.log(d.message); // "table users: column email NOT NULL added"
 * ```
 */
export function diffSchemas(before: SchemaModel, after: SchemaModel): SchemaDifference[] {
  return [
    ...diffObjects('table', before.tables, after.tables, tableChanges),
    ...diffObjects('index', before.indexes, after.indexes, indexChanges),
    ...diffObjects('view', before.views, after.views, statementChanges),
    ...diffObjects('trigger', before.triggers, after.triggers, statementChanges),
  ];
}

function diffObjects<T extends { readonly name: string }>(
  kind: SchemaDifference['kind'],
  before: readonly T[],
  after: readonly T[],
  changes: (a: T, b: T) => string[],
): SchemaDifference[] {
  const key = (name: string) => name.toLowerCase();
  const old = new Map(before.map((o) => [key(o.name), o]));
  const now = new Map(after.map((o) => [key(o.name), o]));
  const differences: SchemaDifference[] = [];
  const names = [...new Set([...old.keys(), ...now.keys()])].sort();
  for (const name of names) {
    const a = old.get(name);
    const b = now.get(name);
    const shown = (b ?? a)?.name ?? name;
    if (a === undefined) differences.push({ kind, name: shown, change: 'added', message: `${kind} ${shown} added` });
    else if (b === undefined) differences.push({ kind, name: shown, change: 'removed', message: `${kind} ${shown} removed` });
    else {
      for (const detail of changes(a, b)) {
        differences.push({ kind, name: shown, change: 'changed', message: `${kind} ${shown}: ${detail}` });
      }
    }
  }
  return differences;
}

function tableChanges(a: TableModel, b: TableModel): string[] {
  const changes: string[] = [];
  if (a.kind !== b.kind) changes.push(`now a ${b.kind === 'virtual' ? 'virtual table' : 'table'}`);
  if (a.sql !== b.sql && a.kind === 'virtual' && b.kind === 'virtual') changes.push(`definition ${a.sql} → ${b.sql}`);
  if (a.strict !== b.strict) changes.push(`STRICT ${b.strict ? 'added' : 'removed'}`);
  if (a.withoutRowid !== b.withoutRowid) changes.push(`WITHOUT ROWID ${b.withoutRowid ? 'added' : 'removed'}`);
  const column = (name: string) => name.toLowerCase();
  for (const c of b.columns) {
    const was = a.columns.find((d) => column(d.name) === column(c.name));
    if (was === undefined)
      changes.push(`column ${[c.name, c.type, c.notNull ? 'NOT NULL' : ''].filter(Boolean).join(' ')} added`);
    else for (const detail of columnChanges(was, c)) changes.push(`column ${c.name}: ${detail}`);
  }
  for (const c of a.columns)
    if (!b.columns.some((d) => column(d.name) === column(c.name))) changes.push(`column ${c.name} removed`);
  const order = (x: readonly ColumnModel[]) => x.map((c) => c.name.toLowerCase()).join(',');
  const common = (x: readonly ColumnModel[], y: readonly ColumnModel[]) =>
    x.filter((c) => y.some((d) => d.name.toLowerCase() === c.name.toLowerCase()));
  if (order(common(a.columns, b.columns)) !== order(common(b.columns, a.columns))) changes.push('columns reordered');
  const keys = (t: TableModel) => new Set(t.foreignKeys.map(foreignKeyText));
  const [oldKeys, newKeys] = [keys(a), keys(b)];
  for (const k of newKeys) if (!oldKeys.has(k)) changes.push(`foreign key ${k} added`);
  for (const k of oldKeys) if (!newKeys.has(k)) changes.push(`foreign key ${k} removed`);
  return changes;
}

function columnChanges(a: ColumnModel, b: ColumnModel): string[] {
  const changes: string[] = [];
  if (a.type !== b.type) changes.push(`type ${a.type || '(none)'} → ${b.type || '(none)'}`);
  if (a.notNull !== b.notNull) changes.push(`NOT NULL ${b.notNull ? 'added' : 'removed'}`);
  if (a.default !== b.default) changes.push(`default ${a.default ?? '(none)'} → ${b.default ?? '(none)'}`);
  if (a.primaryKey !== b.primaryKey) changes.push(b.primaryKey === 0 ? 'no longer in the primary key' : 'now in the primary key');
  if (a.hidden !== b.hidden) changes.push(b.hidden >= 2 ? 'now generated' : 'no longer generated');
  return changes;
}

/** A foreign key as one line: `(author_id) → users(id) ON DELETE SET NULL`. */
export function foreignKeyText(key: ForeignKeyModel): string {
  const to = key.to.every((c) => c === null) ? '' : `(${key.to.join(', ')})`;
  const actions = [
    key.onDelete === 'NO ACTION' ? '' : ` ON DELETE ${key.onDelete}`,
    key.onUpdate === 'NO ACTION' ? '' : ` ON UPDATE ${key.onUpdate}`,
  ].join('');
  return `(${key.columns.join(', ')}) → ${key.table.toLowerCase()}${to}${actions}`;
}

function indexChanges(a: IndexModel, b: IndexModel): string[] {
  const changes: string[] = [];
  if (a.table.toLowerCase() !== b.table.toLowerCase()) changes.push(`now on ${b.table} instead of ${a.table}`);
  if (a.unique !== b.unique) changes.push(`UNIQUE ${b.unique ? 'added' : 'removed'}`);
  if (a.columns.join(', ') !== b.columns.join(', ')) changes.push(`keys (${a.columns.join(', ')}) → (${b.columns.join(', ')})`);
  if (a.where !== b.where) changes.push(`WHERE ${a.where ?? '(none)'} → ${b.where ?? '(none)'}`);
  return changes;
}

function statementChanges(a: StatementObjectModel, b: StatementObjectModel): string[] {
  return a.sql === b.sql ? [] : [`definition changed: ${a.sql} → ${b.sql}`];
}
