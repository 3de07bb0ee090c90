import { spelling, tokenize } from '../sql/tokens.js';

/**
 * SQL text reduced to what SQLite reads from it, so two spellings of one definition compare equal: comments and
 * white space between tokens go (one space stays where two words would otherwise join), quoted identifiers lose their
 * quotes when they need none, and words are lower-cased. String literals are kept exactly.
 *
 * @example
 * ```ts
 * canonicalSql('CREATE  VIEW "v" AS\n  SELECT id FROM [users] -- all'); // 'create view v as select id from users'
 * ```
 */
export function canonicalSql(sql: string): string {
  const parts: string[] = [];
  let space = false;
  for (const token of tokenize(sql)) {
    if (token.kind === 'space' || token.kind === 'comment') {
      space = parts.length > 0;
      continue;
    }
    // tokenText unquotes a quoted identifier itself: spelling() would have unquoted it already.
    const text = token.kind === 'word' ? spelling(sql, token) : tokenText(token.kind, sql.slice(token.start, token.end));
    const previous = parts.at(-1) ?? '';
    if (space && needsSpace(previous, text)) parts.push(' ');
    parts.push(text);
    space = false;
  }
  return parts.join('').replace(/;$/, '');
}

/** A quoted identifier that needs no quotes loses them (and its case, as SQLite ignores it); others keep `"…"`. */
function tokenText(kind: string, text: string): string {
  if (kind !== 'quoted') return text;
  const quote = text[0] ?? '';
  const body = text.slice(1, -1);
  const inner = quote === '[' ? body : body.replaceAll(quote + quote, quote);
  return /^[A-Za-z_][A-Za-z0-9_$]*$/.test(inner) ? inner.toLowerCase() : `"${inner.replaceAll('"', '""')}"`;
}

/** Two tokens joined without a space would read as one only when both end and start with a word character. */
function needsSpace(previous: string, next: string): boolean {
  const wordy = /[A-Za-z0-9_$"'\u0080-\uffff]/;
  return wordy.test(previous.at(-1) ?? '') && wordy.test(next[0] ?? '');
}
