import { canonicalSql } from '../schema/normalize.js';
import { spelling, type Token, tokenize } from '../sql/tokens.js';

/**
 * The constraints of a `CREATE TABLE` that SQLite keeps only in its text: CHECK expressions, UNIQUE constraints (those
 * of a column and those of the table) and the collation of each column.
 *
 * @example
 * ```ts
 * const parts = tableConstraints('CREATE TABLE t (a TEXT COLLATE NOCASE UNIQUE, b INT CHECK (b > 0), UNIQUE (a, b))');
 * // { checks: ['b>0'], uniques: [['a'], ['a', 'b']], collations: Map { 'a' => 'nocase' }, deferred: [] }
 * ```
 */
export interface TableConstraints {
  /** The normalised text of each CHECK expression (see `canonicalSql`). */
  readonly checks: readonly string[];
  /** The keys of each UNIQUE constraint, lower-cased: a column's name, followed by `collate x` when the key sets one. */
  readonly uniques: readonly (readonly string[])[];
  /** The keys of a table's `PRIMARY KEY (…)` constraint, as {@link uniques} has them; undefined for none. */
  readonly primaryKey?: readonly string[];
  /** Lower-cased column name → lower-cased collation, for the columns that declare one. */
  readonly collations: ReadonlyMap<string, string>;
  /**
   * The foreign keys declared `DEFERRABLE INITIALLY DEFERRED`, checked at commit rather than at each statement: each
   * as its columns and its parent table, lower-cased.
   */
  readonly deferred: readonly { readonly columns: readonly string[]; readonly table: string }[];
  /** The column declared `PRIMARY KEY DESC`, lower-cased: SQLite never makes it an alias of the rowid. */
  readonly descendingKey?: string;
  /**
   * The constraints with an `ON CONFLICT` clause: the constraint, its columns (lower-cased) and the lower-cased
   * resolution (`replace`, `ignore`, `fail`, `rollback`, `abort`).
   */
  readonly conflicts: readonly ConflictClause[];
}

/** An `ON CONFLICT` clause and the constraint it belongs to. */
export interface ConflictClause {
  readonly constraint: 'UNIQUE' | 'PRIMARY KEY' | 'NOT NULL';
  readonly columns: readonly string[];
  readonly resolution: string;
}

const TABLE_CONSTRAINT = new Set(['constraint', 'primary', 'unique', 'check', 'foreign']);

/** Reads the {@link TableConstraints} of a `CREATE TABLE` statement as SQLite stores it. */
export function tableConstraints(create: string): TableConstraints {
  const checks: string[] = [];
  const uniques: string[][] = [];
  const collations = new Map<string, string>();
  let descendingKey: string | undefined;
  let primaryKey: string[] | undefined;
  const deferred: { columns: string[]; table: string }[] = [];
  const conflicts: ConflictClause[] = [];
  for (const part of definitions(create)) {
    const first = part[0];
    if (first === undefined) continue;
    const word = spelling(create, first);
    const isTableConstraint = first.kind === 'word' && TABLE_CONSTRAINT.has(word);
    const column = isTableConstraint ? undefined : word;
    // The columns of the foreign key being read, from `FOREIGN KEY (…)` or the column itself, then its parent.
    let child: string[] = column === undefined ? [] : [column];
    let parent: string | undefined;
    // The constraint an `ON CONFLICT` clause that follows belongs to.
    let constraint: Omit<ConflictClause, 'resolution'> | undefined;
    for (let at = isTableConstraint ? 0 : 1, depth = 0; at < part.length; at++) {
      const token = part[at] as Token;
      const text = create.slice(token.start, token.end);
      if (text === '(') depth++;
      else if (text === ')') depth--;
      if (depth > 0 || token.kind !== 'word') continue;
      const keyword = spelling(create, token);
      const next = part[at + 1];
      const nextWord = next === undefined ? '' : spelling(create, next);
      if (keyword === 'unique' || keyword === 'primary') {
        const group = isTableConstraint ? parenthesised(part, at + (keyword === 'unique' ? 1 : 2), create) : undefined;
        const columns = group === undefined ? [column ?? ''] : keyColumns(create.slice(group.start, group.end));
        constraint = { constraint: keyword === 'unique' ? 'UNIQUE' : 'PRIMARY KEY', columns };
      } else if (keyword === 'not' && nextWord === 'null' && column !== undefined) {
        constraint = { constraint: 'NOT NULL', columns: [column] };
      } else if (keyword === 'conflict' && constraint !== undefined && part[at - 1] !== undefined) {
        if (spelling(create, part[at - 1] as Token) === 'on' && next !== undefined) {
          conflicts.push({ ...constraint, resolution: nextWord });
        }
      }
      if (keyword === 'check') {
        const group = parenthesised(part, at + 1, create);
        if (group !== undefined) checks.push(canonicalSql(create.slice(group.start, group.end)));
      } else if (keyword === 'unique') {
        const group = isTableConstraint ? parenthesised(part, at + 1, create) : undefined;
        if (column !== undefined) uniques.push([column]);
        else if (group !== undefined) uniques.push(keyColumns(create.slice(group.start, group.end)));
      } else if (keyword === 'collate' && column !== undefined) {
        const name = part[at + 1];
        if (name !== undefined) collations.set(column, spelling(create, name));
      } else if (keyword === 'foreign') {
        const group = parenthesised(part, at + 2, create);
        if (group !== undefined) child = keyColumns(create.slice(group.start, group.end));
      } else if (keyword === 'references') {
        const name = part[at + 1];
        parent = name === undefined ? undefined : spelling(create, name);
      } else if (keyword === 'initially' && parent !== undefined) {
        const [previous, before, next] = [part[at - 1], part[at - 2], part[at + 1]];
        const spelt = (t: Token | undefined) => (t === undefined ? '' : spelling(create, t));
        if (spelt(previous) === 'deferrable' && spelt(before) !== 'not' && spelt(next) === 'deferred') {
          deferred.push({ columns: child, table: parent });
        }
      } else if (keyword === 'primary' && column === undefined) {
        const group = parenthesised(part, at + 2, create);
        if (group !== undefined) primaryKey = keyColumns(create.slice(group.start, group.end));
      } else if (keyword === 'primary' && column !== undefined) {
        const [k, order] = [part[at + 1], part[at + 2]];
        if (k !== undefined && order !== undefined && spelling(create, k) === 'key' && spelling(create, order) === 'desc') {
          descendingKey = column;
        }
      }
    }
  }
  return {
    checks,
    uniques,
    collations,
    deferred,
    conflicts,
    ...(primaryKey === undefined ? {} : { primaryKey }),
    ...(descendingKey === undefined ? {} : { descendingKey }),
  };
}

/** The column definitions and table constraints of a `CREATE TABLE`: the tokens between its top-level commas. */
function definitions(create: string): Token[][] {
  const parts: Token[][] = [];
  let current: Token[] = [];
  let depth = 0;
  for (const token of tokenize(create)) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    const text = create.slice(token.start, token.end);
    if (text === '(' && depth++ === 0) continue;
    if (text === ')' && --depth === 0) break;
    if (depth === 0) continue;
    if (depth === 1 && text === ',') {
      parts.push(current);
      current = [];
    } else current.push(token);
  }
  parts.push(current);
  return parts;
}

/** The text span inside the parentheses that open at `part[at]`; undefined when no `(` is there. */
function parenthesised(part: readonly Token[], at: number, create: string): { start: number; end: number } | undefined {
  const open = part[at];
  if (open === undefined || create.slice(open.start, open.end) !== '(') return undefined;
  let depth = 0;
  for (let i = at; i < part.length; i++) {
    const token = part[i] as Token;
    const text = create.slice(token.start, token.end);
    if (text === '(') depth++;
    else if (text === ')' && --depth === 0) return { start: open.end, end: token.start };
  }
  return { start: open.end, end: create.length };
}

/** The keys of a key list such as `a COLLATE NOCASE, "b" DESC`: `['a collate nocase', 'b']`, lower-cased. */
function keyColumns(list: string): string[] {
  const names: string[] = [];
  let expectName = true;
  let collate = false;
  let depth = 0;
  for (const token of tokenize(list)) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    const text = list.slice(token.start, token.end);
    if (text === '(') depth++;
    else if (text === ')') depth--;
    else if (text === ',' && depth === 0) expectName = true;
    else if (expectName && depth === 0) {
      names.push(spelling(list, token));
      expectName = false;
    } else if (depth === 0 && collate) {
      names.push(`${names.pop() ?? ''} collate ${spelling(list, token)}`);
      collate = false;
    } else if (depth === 0 && token.kind === 'word') collate = spelling(list, token) === 'collate';
  }
  return names;
}
