import { spelling, type Token, tokenize } from '../../sql/tokens.js';
import { canonicalSql } from '../normalize.js';

/** One column definition of a `CREATE TABLE`: its name and the rest of its definition. */
export interface ColumnDefinition {
  /** The name as SQLite compares it: unquoted, lower-cased. */
  readonly key: string;
  /** The definition as written, name included: what `ADD COLUMN` takes. */
  readonly text: string;
  /** The definition after the name, normalised (see {@link canonicalSql}): what two definitions are compared by. */
  readonly rest: string;
}

/** A `CREATE TABLE` statement cut into what a migration compares and copies. */
export interface TableDefinition {
  readonly columns: readonly ColumnDefinition[];
  /** The table constraints (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY), each normalised. */
  readonly constraints: readonly string[];
  /** What follows the closing parenthesis (STRICT, WITHOUT ROWID), normalised. */
  readonly options: string;
  /** The statement from its opening parenthesis on: a copy under another name is `CREATE TABLE "x" ` + this. */
  readonly body: string;
}

const CONSTRAINT_WORDS = new Set(['constraint', 'primary', 'unique', 'check', 'foreign']);

/**
 * Cuts `sql`, a `CREATE TABLE` statement as SQLite keeps it, at its top-level commas into column definitions and
 * table constraints.
 */
export function parseTable(sql: string): TableDefinition {
  const tokens = [...tokenize(sql)].filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const open = tokens.findIndex((t) => sql[t.start] === '(');
  const columns: ColumnDefinition[] = [];
  const constraints: string[] = [];
  let depth = 0;
  let item: Token[] = [];
  let close = sql.length;
  const finish = () => {
    const [first, second] = item;
    const last = item.at(-1);
    if (first === undefined || last === undefined) return;
    const text = sql.slice(first.start, last.end);
    if (first.kind === 'word' && CONSTRAINT_WORDS.has(spelling(sql, first))) constraints.push(canonicalSql(text));
    else {
      const rest = second === undefined ? '' : sql.slice(second.start, last.end);
      columns.push({ key: spelling(sql, first), text, rest: canonicalSql(rest) });
    }
    item = [];
  };
  for (const token of tokens.slice(open + 1)) {
    const ch = sql[token.start];
    if (token.kind === 'other' && ch === '(') depth++;
    if (token.kind === 'other' && ch === ')' && depth-- === 0) {
      finish();
      close = token.end;
      break;
    }
    if (token.kind === 'other' && ch === ',' && depth === 0) finish();
    else item.push(token);
  }
  const start = tokens[open]?.start ?? sql.length;
  return { columns, constraints, options: canonicalSql(sql.slice(close)), body: sql.slice(start) };
}

/** The words of `sql` (identifiers and keywords, unquoted and lower-cased): what tells which names a statement uses. */
export function wordsOf(sql: string): Set<string> {
  const words = new Set<string>();
  for (const token of tokenize(sql)) if (token.kind === 'word' || token.kind === 'quoted') words.add(spelling(sql, token));
  return words;
}
