/**
 * What a {@link Token} is, as far as finding statement boundaries and a statement's leading keywords needs: SQLite's
 * own tokenizer knows many more kinds, but they all behave like `other` here.
 */
export type TokenKind =
  /** A run of spaces, tabs, form feeds, carriage returns and newlines. */
  | 'space'
  /** `-- …` to the end of the line, or `/* … *\/` (to the end of the text when never closed). */
  | 'comment'
  | 'semicolon'
  /** A keyword or unquoted identifier: letters, digits, `_`, `$` and any character beyond ASCII. */
  | 'word'
  /** `"…"`, `` `…` `` or `[…]`: a quoted identifier. */
  | 'quoted'
  /** `'…'`: a string literal (the `'…'` part of a blob literal `x'…'` too; the `x` is a word). */
  | 'string'
  /** Any other single character: an operator, a parenthesis, a comma. */
  | 'other';

/** One token: its kind and where it lies in the text (`end` is exclusive), in UTF-16 code units. */
export interface Token {
  readonly kind: TokenKind;
  readonly start: number;
  readonly end: number;
}

// The characters the rules below look at, as UTF-16 code units: the scanners compare numbers, not one-letter strings.
export const SEMICOLON = 0x3b;
const DASH = 0x2d;
const SLASH = 0x2f;
const STAR = 0x2a;
const NEWLINE = 0x0a;
const APOSTROPHE = 0x27;
const DOUBLE_QUOTE = 0x22;
const BACKTICK = 0x60;
const OPEN_BRACKET = 0x5b;

/**
 * The tokens of `sql` from `from` to its end, following SQLite's lexical rules: quotes and comments never nest, a
 * doubled quote stands for itself inside a quoted token, and an unclosed quote, bracket or block comment runs to the
 * end of the text. A vertical tab is not white space to SQLite, so it is `other` here too.
 *
 * @example
 * ```ts
 * [...tokenize("SELECT 'a;b';")].map((t) => t.kind); // ['word', 'space', 'string', 'semicolon']
 * ```
 */
export function* tokenize(sql: string, from = 0): Generator<Token, void> {
  for (let start = from; start < sql.length; ) {
    const token = tokenAt(sql, start);
    yield token;
    start = token.end;
  }
}

/** The token that starts at `start`, which must be inside `sql`. */
function tokenAt(sql: string, start: number): Token {
  const code = sql.charCodeAt(start);
  const token = (kind: TokenKind, end: number): Token => ({ kind, start, end });
  if (isSpace(code)) {
    let end = start + 1;
    while (end < sql.length && isSpace(sql.charCodeAt(end))) end++;
    return token('space', end);
  }
  const comment = endOfComment(sql, start);
  if (comment > start) return token('comment', comment);
  if (code === SEMICOLON) return token('semicolon', start + 1);
  const end = endOfToken(sql, start);
  if (code === APOSTROPHE) return token('string', end);
  if (isQuote(code)) return token('quoted', end);
  return token(isIdChar(code) ? 'word' : 'other', end);
}

/**
 * The identifier or keyword a word or quoted token spells, without its quotes, in lower case.
 *
 * @example
 * ```ts
 * const sql = 'PRAGMA "Foreign_Keys"';
 * [...tokenize(sql)].filter((t) => t.kind !== 'space').map((t) => spelling(sql, t)); // ['pragma', 'foreign_keys']
 * ```
 */
export function spelling(sql: string, token: Token): string {
  const text = sql.slice(token.start, token.end);
  if (token.kind !== 'quoted') return text.toLowerCase();
  const quote = text.charAt(0);
  const close = quote === '[' ? ']' : quote;
  const inner = text.slice(1, text.endsWith(close) && text.length > 1 ? -1 : undefined);
  return (quote === '[' ? inner : inner.split(quote + quote).join(quote)).toLowerCase();
}

// ---- the lexical rules, shared with the statement splitter, which scans without making tokens ---------------------

/** Where the white space and comments that start at `at` end: `at` itself when none does. */
export function skipBlank(sql: string, at: number): number {
  while (at < sql.length) {
    if (isSpace(sql.charCodeAt(at))) {
      at++;
      continue;
    }
    const end = endOfComment(sql, at);
    if (end === at) return at;
    at = end;
  }
  return at;
}

/**
 * Runs of characters that cannot end a statement or start a string, a quoted identifier or a comment: anything but
 * `;`, a quote, `[`, `--` and `/*`. A sticky regular expression skips them in native code; a loop over character
 * codes would run in the interpreter for most of start-up, since it scans each script once, long before it is hot.
 */
const PLAIN_RUN = /(?:[^;'"`[\-/]|-(?!-)|\/(?!\*))+/y;

/**
 * Where the last of the tokens from `at` up to the next semicolon ends, white space and comments before that semicolon
 * left out; `at` when a semicolon or the end of the text comes first. Only strings, quoted identifiers and comments
 * can hide a semicolon, so the rest is skipped in runs with no need to find where words end.
 */
export function endBeforeSemicolon(sql: string, at: number): number {
  let end = at;
  while (at < sql.length) {
    PLAIN_RUN.lastIndex = at;
    if (PLAIN_RUN.test(sql)) {
      const runEnd = PLAIN_RUN.lastIndex;
      let last = runEnd;
      while (last > at && isSpace(sql.charCodeAt(last - 1))) last--;
      if (last > at) end = last;
      at = runEnd;
      continue;
    }
    const code = sql.charCodeAt(at);
    if (code === SEMICOLON) break;
    const comment = endOfComment(sql, at);
    if (comment !== at) {
      at = comment;
      continue;
    }
    // Nothing else stops a run: this is a quote or a bracket.
    at = endOfQuoted(sql, code, at);
    end = at;
  }
  return end;
}

/** Where a `--` or `/* *\/` comment that starts at `at` ends (a line comment leaves its newline out); `at` if none does. */
function endOfComment(sql: string, at: number): number {
  const code = sql.charCodeAt(at);
  if (code === DASH && sql.charCodeAt(at + 1) === DASH) return endOf(sql, '\n', at + 2, 0);
  if (code === SLASH && sql.charCodeAt(at + 1) === STAR) return endOf(sql, '*/', at + 2, 2);
  return at;
}

/**
 * Where the token that starts at `start` ends, for any token but white space and comments: a quoted token or string
 * runs to its closing quote, a word to its last identifier character, anything else is one character long.
 */
export function endOfToken(sql: string, start: number): number {
  const code = sql.charCodeAt(start);
  if (code === APOSTROPHE || isQuote(code)) return endOfQuoted(sql, code, start);
  if (!isIdChar(code)) return start + 1;
  let end = start + 1;
  while (end < sql.length && isIdChar(sql.charCodeAt(end))) end++;
  return end;
}

/** Where a quoted token ends: a doubled quote inside it (`'it''s'`) is part of it; brackets have no such escape. */
function endOfQuoted(sql: string, open: number, start: number): number {
  if (open === OPEN_BRACKET) return endOf(sql, ']', start + 1, 1);
  const close = String.fromCharCode(open);
  let end = endOf(sql, close, start + 1, 1);
  while (end < sql.length && sql.charCodeAt(end) === open) end = endOf(sql, close, end + 1, 1);
  return end;
}

/** Where a token that ends with `close` ends: just past `close` (`keep` of its characters), or the end of the text. */
function endOf(sql: string, close: string, from: number, keep: number): number {
  const at = sql.indexOf(close, from);
  return at < 0 ? sql.length : at + keep;
}

/** The characters that open a quoted identifier. */
function isQuote(code: number): boolean {
  return code === DOUBLE_QUOTE || code === BACKTICK || code === OPEN_BRACKET;
}

/** SQLite's white space: space, tab, newline, form feed and carriage return, but not a vertical tab. */
function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === NEWLINE || code === 0x0c || code === 0x0d;
}

/** SQLite's identifier characters: ASCII letters and digits, `_`, `$`, and every byte of a non-ASCII character. */
export function isIdChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}
