import { StrataError } from '../errors.js';
import { splitStatements } from '../sql/split.js';

/** One query an application runs, and where it was read from. */
export interface QueryText {
  /** One SQL statement, without its terminating semicolon; parameters (`?`, `:name`) stay unbound. */
  readonly sql: string;
  /**
   * Where it came from, for reports: `queries.sql:12`, `queries.json[3]`, or, for a named query,
   * `domainsList (queries.sql:12)`.
   */
  readonly source: string;
}

/** `-- name: something` on its own line: names the statement that starts on the next line. */
const NAME_LINE = /^\s*--\s*name:\s*(\S.*?)\s*$/;

/**
 * Reads the queries an application runs from the text of `file`, which names them in sources and errors.
 *
 * A `.sql` file holds statements separated by semicolons (split as SQLite splits them); a `-- name: something` comment
 * on the line right before a statement names it. A `.json` file holds an array whose entries are each a statement, as
 * a string or as `{ "name": string, "sql": string }`; a byte-order mark before either is skipped. A file that holds no
 * statement, an entry of another shape, one that holds no statement or more than one, or a file of another kind, is an
 * `INVALID_OPTION` naming the file (and the entry).
 *
 * @example
 * ```ts
 * readQueries('-- name: domainsList\nSELECT slug FROM domains;\nSELECT 1;', 'queries.sql');
 * // [{ sql: 'SELECT slug FROM domains', source: 'domainsList (queries.sql:2)' }, { sql: 'SELECT 1', source: 'queries.sql:3' }]
 * readQueries('["SELECT 1", { "name": "settings", "sql": "SELECT key FROM settings" }]', 'queries.json');
 * // [{ sql: 'SELECT 1', source: 'queries.json[0]' }, { sql: 'SELECT key FROM settings', source: 'settings (queries.json[1])' }]
 * ```
 */
export function readQueries(text: string, file: string): QueryText[] {
  const kind = /\.(sql|json)$/i.exec(file)?.[1]?.toLowerCase();
  if (kind === undefined) throw invalid(file, 'is neither a .sql nor a .json file of queries');
  const queries = kind === 'sql' ? sqlQueries(text, file) : jsonQueries(text, file);
  if (queries.length === 0) throw invalid(file, 'holds no query');
  return queries;
}

function sqlQueries(text: string, file: string): QueryText[] {
  return splitStatements(text).map((statement) => {
    const where = `${file}:${statement.line}`;
    const name = nameBefore(text, statement.start);
    return { sql: statement.text, source: name === undefined ? where : `${name} (${where})` };
  });
}

/** The name a `-- name:` line right before the statement at `start` gives it, when the statement starts its line. */
function nameBefore(text: string, start: number): string | undefined {
  const lines = text.slice(0, start).split(/\r\n|\r|\n/);
  if (lines.length < 2 || (lines.at(-1) ?? '').trim() !== '') return undefined;
  return NAME_LINE.exec(lines.at(-2) ?? '')?.[1];
}

function jsonQueries(text: string, file: string): QueryText[] {
  let entries: unknown;
  try {
    // JSON.parse refuses the byte-order mark some editors write first.
    entries = JSON.parse(text.startsWith('\uFEFF') ? text.slice(1) : text);
  } catch (error) {
    throw invalid(file, `is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, error);
  }
  if (!Array.isArray(entries)) throw invalid(file, 'must hold an array of queries (strings or { "name", "sql" } objects)');
  return entries.map((entry: unknown, index) => {
    const where = `${file}[${index}]`;
    if (typeof entry === 'string') return { sql: oneStatement(entry, file, index), source: where };
    if (isNamed(entry)) return { sql: oneStatement(entry.sql, file, index), source: `${entry.name} (${where})` };
    throw invalid(file, `entry ${index} is neither a string nor an object of two strings, "name" and "sql"`);
  });
}

function isNamed(entry: unknown): entry is { readonly name: string; readonly sql: string } {
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) return false;
  const { name, sql, ...rest } = entry as Record<string, unknown>;
  return typeof name === 'string' && name.trim() !== '' && typeof sql === 'string' && Object.keys(rest).length === 0;
}

/** The one statement of an entry, without its semicolon; an entry that holds none, or several, is refused. */
function oneStatement(sql: string, file: string, index: number): string {
  const [first, ...more] = splitStatements(sql);
  if (first !== undefined && more.length === 0) return first.text;
  const held = first === undefined ? 'no statement' : `${more.length + 1} statements`;
  throw invalid(file, `entry ${index} holds ${held}; each entry is one query`);
}

function invalid(file: string, why: string, cause?: unknown): StrataError {
  return new StrataError('INVALID_OPTION', `queries file ${file} ${why}`, { file, ...(cause === undefined ? {} : { cause }) });
}
