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

const SPACE = new Set([' ', '\t', '\n', '\f', '\r']);
const CLOSING: Readonly<Record<string, string>> = { '"': '"', '`': '`', '[': ']', "'": "'" };

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
  const c = sql.charAt(start);
  const next = sql.charAt(start + 1);
  const token = (kind: TokenKind, end: number): Token => ({ kind, start, end });
  if (c === ';') return token('semicolon', start + 1);
  if (SPACE.has(c)) {
    let end = start + 1;
    while (end < sql.length && SPACE.has(sql.charAt(end))) end++;
    return token('space', end);
  }
  if (c === '-' && next === '-') return token('comment', endOf(sql, '\n', start + 2, 0));
  if (c === '/' && next === '*') return token('comment', endOf(sql, '*/', start + 2, 2));
  const closing = CLOSING[c];
  if (closing !== undefined) return token(c === "'" ? 'string' : 'quoted', endOfQuoted(sql, c, closing, start));
  if (isIdChar(sql.charCodeAt(start))) {
    let end = start + 1;
    while (end < sql.length && isIdChar(sql.charCodeAt(end))) end++;
    return token('word', end);
  }
  return token('other', start + 1);
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
  const inner = text.slice(1, text.endsWith(CLOSING[quote] ?? '') && text.length > 1 ? -1 : undefined);
  return (quote === '[' ? inner : inner.split(quote + quote).join(quote)).toLowerCase();
}

/** Where a quoted token ends: a doubled quote inside it (`'it''s'`) is part of it; brackets have no such escape. */
function endOfQuoted(sql: string, open: string, close: string, start: number): number {
  let end = endOf(sql, close, start + 1, 1);
  while (open !== '[' && end < sql.length && sql.charAt(end) === close) end = endOf(sql, close, end + 1, 1);
  return end;
}

/** Where a token that ends with `close` ends: just past `close` (`keep` of its characters), or the end of the text. */
function endOf(sql: string, close: string, from: number, keep: number): number {
  const at = sql.indexOf(close, from);
  return at < 0 ? sql.length : at + keep;
}

/** SQLite's identifier characters: ASCII letters and digits, `_`, `$`, and every byte of a non-ASCII character. */
function isIdChar(code: number): boolean {
  return (
    (code >= 0x61 && code <= 0x7a) ||
    (code >= 0x41 && code <= 0x5a) ||
    (code >= 0x30 && code <= 0x39) ||
    code === 0x5f ||
    code === 0x24 ||
    code >= 0x80
  );
}
