import { type Token, tokenize } from './tokens.js';

/** One SQL statement of a script, and where it starts. */
export interface Statement {
  /**
   * The statement from its first token to its last, without the semicolon that ends it and without the white space
   * and comments around it; comments inside it are kept.
   */
  readonly text: string;
  /** Offset of the first character in the script, in UTF-16 code units. */
  readonly start: number;
  /** Offset just past the last character (before the terminating semicolon). */
  readonly end: number;
  /** 1-based line of the first token; `\n`, `\r\n` and a lone `\r` each end a line. */
  readonly line: number;
  /** 1-based column of the first token, counted in characters (code points). */
  readonly column: number;
}

/**
 * Where the scan is, after the tokens seen so far. SQLite's `sqlite3_complete()` ends a statement at a semicolon,
 * except inside `CREATE [TEMP] TRIGGER`, whose body holds statements of its own: that one ends only at `; END ;`.
 * So `CASE … END` inside a trigger body ends nothing, and a `BEGIN` outside a trigger is an ordinary statement.
 */
type State =
  /** Before a statement's first token. */
  | 'between'
  /** In a statement that the next semicolon ends. */
  | 'statement'
  /** After a leading `EXPLAIN`, which may still precede `CREATE TRIGGER`. */
  | 'explain'
  /** After a leading `CREATE` (and `TEMP`), which `TRIGGER` would make a trigger. */
  | 'create'
  /** In a trigger definition. */
  | 'trigger'
  /** In a trigger definition, just after a semicolon: `END` may follow. */
  | 'trigger;'
  /** In a trigger definition, after `; END`: a semicolon ends the statement. */
  | 'trigger;end';

/** The tokens that move the scan: a semicolon, the five keywords it watches for, and anything else. */
type Significant = ';' | 'explain' | 'create' | 'temp' | 'trigger' | 'end' | 'other';

const KEYWORDS: ReadonlyMap<string, Significant> = new Map([
  ['explain', 'explain'],
  ['create', 'create'],
  ['temp', 'temp'],
  ['temporary', 'temp'],
  ['trigger', 'trigger'],
  ['end', 'end'],
]);

/**
 * Splits a script into its statements exactly where SQLite would: semicolons inside strings, quoted identifiers
 * (`"…"`, `` `…` ``, `[…]`), blobs and comments do not count, nor those inside a trigger body. Empty statements
 * (`;;`, or only comments between two semicolons) are left out. The last statement needs no semicolon. A byte-order
 * mark at the very start, which an editor may add and SQLite would read as part of the first word, is skipped.
 *
 * @example
 * ```ts
 * splitStatements("-- users\nCREATE TABLE u (name TEXT DEFAULT 'a;b');\n\nINSERT INTO u DEFAULT VALUES;");
 * // [{ text: "CREATE TABLE u (name TEXT DEFAULT 'a;b')", start: 9, end: 49, line: 2, column: 1 },
 * //  { text: 'INSERT INTO u DEFAULT VALUES', start: 52, end: 80, line: 4, column: 1 }]
 * ```
 */
export function splitStatements(sql: string): Statement[] {
  const from = sql.charCodeAt(0) === 0xfeff ? 1 : 0;
  const locate = locator(sql, from);
  const statements: Statement[] = [];
  const close = (start: number, end: number) => statements.push({ text: sql.slice(start, end), start, end, ...locate(start) });
  let state: State = 'between';
  let start = -1;
  let end = -1;
  for (const token of tokenize(sql, from)) {
    if (token.kind === 'space' || token.kind === 'comment') continue;
    state = advance(state, significance(sql, token));
    if (state === 'between') {
      if (start >= 0) close(start, end);
      start = -1;
    } else {
      if (start < 0) start = token.start;
      end = token.end;
    }
  }
  if (start >= 0) close(start, end);
  return statements;
}

function significance(sql: string, token: Token): Significant {
  if (token.kind === 'semicolon') return ';';
  // Only plain ASCII words are keywords; 9 is the length of the longest watched one, TEMPORARY.
  if (token.kind !== 'word' || token.end - token.start > 9) return 'other';
  const word = sql.slice(token.start, token.end);
  return /^[A-Za-z]+$/.test(word) ? (KEYWORDS.get(word.toLowerCase()) ?? 'other') : 'other';
}

/** The next state; only a semicolon that ends a statement leads back to `between`. */
function advance(state: State, token: Significant): State {
  switch (state) {
    case 'trigger':
      return token === ';' ? 'trigger;' : 'trigger';
    case 'trigger;':
      return token === ';' ? 'trigger;' : token === 'end' ? 'trigger;end' : 'trigger';
    case 'trigger;end':
      return token === ';' ? 'between' : 'trigger';
    case 'statement':
      return token === ';' ? 'between' : 'statement';
    case 'between':
      return token === ';' ? 'between' : token === 'explain' ? 'explain' : token === 'create' ? 'create' : 'statement';
    case 'explain':
      // `EXPLAIN QUERY PLAN CREATE TRIGGER …` is still a trigger: words after EXPLAIN keep waiting for CREATE.
      return token === ';' ? 'between' : token === 'create' ? 'create' : token === 'other' ? 'explain' : 'statement';
    case 'create':
      return token === ';' ? 'between' : token === 'temp' ? 'create' : token === 'trigger' ? 'trigger' : 'statement';
  }
}

/** Line and column of offsets, asked for in increasing order, so the whole split reads the text once. */
function locator(sql: string, from: number): (offset: number) => { line: number; column: number } {
  let line = 1;
  let lineStart = from;
  let at = from;
  return (offset) => {
    for (; at < offset; at++) {
      const c = sql.charCodeAt(at);
      if (c === 0x0a || (c === 0x0d && sql.charCodeAt(at + 1) !== 0x0a)) {
        line++;
        lineStart = at + 1;
      }
    }
    let column = 1;
    for (let i = lineStart; i < offset; i++) {
      // The second half of a surrogate pair is the same character as the first.
      const c = sql.charCodeAt(i);
      if (c < 0xdc00 || c > 0xdfff || i === lineStart || !isHighSurrogate(sql.charCodeAt(i - 1))) column++;
    }
    return { line, column };
  };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
