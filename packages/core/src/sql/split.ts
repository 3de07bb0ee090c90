import { endBeforeSemicolon, endOfToken, SEMICOLON, skipBlank } from './tokens.js';

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

/**
 * Splits a script into its statements exactly where SQLite would: semicolons inside strings, quoted identifiers
 * (`"…"`, `` `…` ``, `[…]`), blobs and comments do not count, nor those inside a trigger body. Empty statements
 * (`;;`, or only comments between two semicolons) are left out. The last statement needs no semicolon. A byte-order
 * mark at the very start, which an editor may add and SQLite would read as part of the first word, is skipped.
 *
 * It runs at every start-up over every migration, so it is one pass over character codes that makes no object but
 * the statements it returns.
 *
 * @example
 * ```ts
 * splitStatements("-- users\nCREATE TABLE u (name TEXT DEFAULT 'a;b');\n\nINSERT INTO u DEFAULT VALUES;");
 * // [{ text: "CREATE TABLE u (name TEXT DEFAULT 'a;b')", start: 9, end: 49, line: 2, column: 1 },
 * //  { text: 'INSERT INTO u DEFAULT VALUES', start: 52, end: 80, line: 4, column: 1 }]
 * ```
 */
export function splitStatements(sql: string): Statement[] {
  const from = afterBom(sql);
  const locate = locator(sql, from);
  const statements: Statement[] = [];
  let state: State = 'between';
  // The statement being read runs from the start of its first token to the end of its last one so far; -1 between.
  let start = -1;
  let end = -1;
  for (let at = skipBlank(sql, from); at < sql.length; ) {
    let tokenEnd: number;
    if (onlySemicolonsCount(state) && sql.charCodeAt(at) !== SEMICOLON) {
      // Where nearly all the text is: the tokens up to the next semicolon are read in one go, and move the state as
      // a single one of them would.
      tokenEnd = endBeforeSemicolon(sql, at);
      state = advance(state, 'other');
    } else {
      tokenEnd = endOfToken(sql, at);
      state = advance(state, significance(sql, at, tokenEnd));
    }
    if (state !== 'between') {
      if (start < 0) start = at;
      end = tokenEnd;
    } else if (start >= 0) {
      statements.push(statement(sql, start, end, locate));
      start = -1;
    }
    at = skipBlank(sql, tokenEnd);
  }
  if (start >= 0) statements.push(statement(sql, start, end, locate));
  return statements;
}

/**
 * Whether `sql` holds any statement, as `splitStatements(sql).length > 0` would say, but without reading further than
 * the first character of that statement: any token but white space, comments and semicolons starts one.
 *
 * @example
 * ```ts
 * containsStatement('-- nothing yet;\n;;'); // false
 * containsStatement('/* intro *\/ CREATE TABLE a (id);'); // true
 * ```
 */
export function containsStatement(sql: string): boolean {
  for (let at = skipBlank(sql, afterBom(sql)); at < sql.length; at = skipBlank(sql, at + 1)) {
    if (sql.charCodeAt(at) !== SEMICOLON) return true;
  }
  return false;
}

/**
 * The 1-based line and column of an offset in a file's text, counted as statements are located: from after a
 * byte-order mark, in code points, with `\n`, `\r\n` and a lone `\r` each ending a line.
 *
 * @example
 * ```ts
 * positionOf('SELECT 1;\nSELECT 2;', 17); // { line: 2, column: 8 }
 * ```
 */
export function positionOf(text: string, offset: number): { line: number; column: number } {
  return locator(text, afterBom(text))(offset);
}

/** Where the text starts after a byte-order mark, if it has one. */
function afterBom(sql: string): number {
  return sql.charCodeAt(0) === 0xfeff ? 1 : 0;
}

/** The statement from `start` to `end`, with its line and column: only statements that are kept get located. */
function statement(sql: string, start: number, end: number, locate: Locator): Statement {
  const { line, column } = locate(start);
  return { text: sql.slice(start, end), start, end, line, column };
}

/**
 * The states in which only a semicolon can lead elsewhere. Any other token leaves them as they are, except that after
 * `; END` it leads back into the trigger body; so a run of such tokens moves the state as its first one does.
 */
function onlySemicolonsCount(state: State): boolean {
  return state === 'statement' || state === 'trigger' || state === 'trigger;end';
}

/** What the token from `start` to `end` means to the scan. */
function significance(sql: string, start: number, end: number): Significant {
  if (sql.charCodeAt(start) === SEMICOLON) return ';';
  // A token matching a keyword's letters is a word of exactly those letters (only a word starts with a letter).
  switch (end - start) {
    case 3:
      return spells(sql, start, 'end') ? 'end' : 'other';
    case 4:
      return spells(sql, start, 'temp') ? 'temp' : 'other';
    case 6:
      return spells(sql, start, 'create') ? 'create' : 'other';
    case 7:
      return spells(sql, start, 'explain') ? 'explain' : spells(sql, start, 'trigger') ? 'trigger' : 'other';
    case 9:
      return spells(sql, start, 'temporary') ? 'temp' : 'other';
    default:
      return 'other';
  }
}

/**
 * Whether the text at `start` is `keyword` (lower-case ASCII letters) in any case. Setting bit 0x20 lower-cases an
 * ASCII letter, and turns no other character into one.
 */
function spells(sql: string, start: number, keyword: string): boolean {
  for (let i = 0; i < keyword.length; i++) {
    if ((sql.charCodeAt(start + i) | 0x20) !== keyword.charCodeAt(i)) return false;
  }
  return true;
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

/** Line and column of an offset; see {@link locator}. */
type Locator = (offset: number) => { line: number; column: number };

/**
 * Line and column of offsets, asked for in increasing order: each call reads on from where the previous one stopped.
 * Line ends are found with `indexOf`, which skips the text between them many times faster than a loop would.
 */
function locator(sql: string, from: number): Locator {
  let line = 1;
  let lineStart = from;
  // The next `\n` and the next lone `\r` from `lineStart` on; `sql.length` when there are no more.
  let newline = indexOr(sql, '\n', from);
  let lone = loneCarriageReturn(sql, from);
  return (offset) => {
    for (let lineEnd = Math.min(newline, lone); lineEnd < offset; lineEnd = Math.min(newline, lone)) {
      line++;
      lineStart = lineEnd + 1;
      if (lineEnd === newline) newline = indexOr(sql, '\n', lineStart);
      else lone = loneCarriageReturn(sql, lineStart);
    }
    return { line, column: columnOf(sql, lineStart, offset) };
  };
}

/** The first `\r` from `from` on that ends a line by itself, not followed by `\n`; `sql.length` if there is none. */
function loneCarriageReturn(sql: string, from: number): number {
  let at = indexOr(sql, '\r', from);
  while (at < sql.length && sql.charCodeAt(at + 1) === 0x0a) at = indexOr(sql, '\r', at + 2);
  return at;
}

/** Where `search` is first found from `from` on; `sql.length` if nowhere. */
function indexOr(sql: string, search: string, from: number): number {
  const at = sql.indexOf(search, from);
  return at < 0 ? sql.length : at;
}

/** The 1-based column of `offset` on the line that starts at `lineStart`, in code points. */
function columnOf(sql: string, lineStart: number, offset: number): number {
  let column = 1;
  for (let i = lineStart; i < offset; i++) {
    // The second half of a surrogate pair is the same character as the first.
    const c = sql.charCodeAt(i);
    if (c < 0xdc00 || c > 0xdfff || i === lineStart || !isHighSurrogate(sql.charCodeAt(i - 1))) column++;
  }
  return column;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
