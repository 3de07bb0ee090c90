import type { Driver } from '../driver.js';
import { messageOf } from '../errors.js';
import { positionOf, type Statement } from '../sql/split.js';
import { spelling, type Token, tokenize } from '../sql/tokens.js';
import { compileStatement } from './compile.js';

/** A 1-based line and column in a migration's file. */
export interface FilePosition {
  readonly line: number;
  readonly column: number;
}

/** What an SQLite message names, and which of its occurrences to prefer. */
interface Named {
  /** `text`: the token exactly as written (a syntax error); `name`: an identifier, quoted or not, in any case. */
  readonly match: 'text' | 'name';
  readonly names: readonly string[];
  /** Which occurrence SQLite means when there are several: see {@link pick}. */
  readonly pick: 'parser' | 'object' | 'second' | 'first';
}

/**
 * Where in its file a failed statement failed: at the token SQLite's message names (`near ",": syntax error`,
 * `no such table: main.x`, `no such column: y`, `table x already exists`, `duplicate column name: y`, …), found with
 * the tokenizer, so a name inside a string or a comment never counts; at the statement's end for `incomplete input`;
 * undefined when the message names nothing in the statement, and the statement's start is the best there is.
 *
 * When the token occurs more than once, the one SQLite means is chosen: for a syntax error, the parser stops at the
 * first token it cannot take, so the first occurrence whose statement, cut just after it, fails with the same message
 * on an empty scratch database (`driver.scratch()`, compiled by {@link compileStatement}, never run) is the one; the
 * cuts before it are prefixes the parser takes. A missing table is looked for after the words that name one (`FROM`,
 * `ON`, …); a duplicate column is its second occurrence; anything else, the first.
 *
 * @example
 * ```ts
 * await failureLocation(driver, 'CREATE TABLE t (a, b,);', statement, new Error('near ")": syntax error'));
 * // { line: 1, column: 22 }
 * ```
 */
export async function failureLocation(
  driver: Driver,
  script: string,
  statement: Statement,
  error: unknown,
): Promise<FilePosition | undefined> {
  const message = messageOf(error);
  if (message === 'incomplete input') return positionOf(script, statement.end);
  const named = namedBy(message);
  if (named === undefined) return undefined;
  const { text } = statement;
  const tokens = [...tokenize(text)].filter((t) => t.kind !== 'space' && t.kind !== 'comment');
  const found = named.match === 'text' ? spansOf(named.names[0] ?? '', tokens, text) : namesOf(named.names, tokens, text);
  const span = await pick(named.pick, found, text, driver, message);
  return span === undefined ? undefined : positionOf(script, statement.start + span.start);
}

/** Where a candidate lies in the statement, and the token before it. */
interface Span {
  readonly start: number;
  readonly end: number;
  readonly before: Token | undefined;
}

/**
 * The places `written` stands in the statement as SQLite's tokens: starting where a token starts and ending where one
 * ends (a syntax error quotes SQLite's token, which may span several of ours, such as `<=` or `1.5`).
 */
function spansOf(written: string, tokens: readonly Token[], text: string): Span[] {
  const ends = new Set(tokens.map((t) => t.end));
  return tokens.flatMap((t, i) => {
    const end = t.start + written.length;
    return written !== '' && text.startsWith(written, t.start) && ends.has(end)
      ? [{ start: t.start, end, before: tokens[i - 1] }]
      : [];
  });
}

/** The words and quoted identifiers that spell one of `names`, in any case. */
function namesOf(names: readonly string[], tokens: readonly Token[], text: string): Span[] {
  return tokens.flatMap((t, i) =>
    (t.kind === 'word' || t.kind === 'quoted') && names.includes(spelling(text, t)) ? [{ ...t, before: tokens[i - 1] }] : [],
  );
}

/** What `message` names, for the messages whose subject is one token of the statement. */
function namedBy(message: string): Named | undefined {
  const syntax = /^(?:near "(.*)": syntax error|unrecognized token: "(.*)")$/s.exec(message);
  if (syntax !== null) return { match: 'text', names: [syntax[1] ?? syntax[2] ?? ''], pick: 'parser' };
  const missing = /^no such (table|column|index|view|trigger|function|module|collation sequence): (.+)$/s.exec(message);
  if (missing !== null) {
    const [, kind = '', name = ''] = missing;
    return { match: 'name', names: unqualified(name), pick: kind === 'table' ? 'object' : 'first' };
  }
  const exists = /^(?:table|index|view|trigger) (.+) already exists$/s.exec(message);
  if (exists !== null) return { match: 'name', names: unqualified(exists[1] ?? ''), pick: 'first' };
  const duplicate = /^duplicate column name: (.+)$/s.exec(message);
  if (duplicate !== null) return { match: 'name', names: unqualified(duplicate[1] ?? ''), pick: 'second' };
  return undefined;
}

/** `main.x` as SQLite writes a qualified name: the whole, or the part after the schema or table. */
function unqualified(name: string): string[] {
  const lower = name.toLowerCase();
  const dot = lower.indexOf('.');
  return dot < 0 ? [lower] : [lower, lower.slice(dot + 1)];
}

/** The words after which a table's name stands where a missing table makes a statement fail. */
const NAMES_A_TABLE = new Set(['from', 'join', 'into', 'update', 'on', 'table']);

/** Which of the candidates SQLite means; undefined when there is none. */
async function pick(
  how: Named['pick'],
  found: readonly Span[],
  text: string,
  driver: Driver,
  message: string,
): Promise<Span | undefined> {
  if (found.length <= 1) return found[0];
  if (how === 'second') return found[1];
  if (how === 'object') {
    return found.find(({ before }) => before !== undefined && NAMES_A_TABLE.has(spelling(text, before))) ?? found[0];
  }
  if (how === 'parser') return (await firstFailingCut(found, text, driver, message)) ?? found[0];
  return found[0];
}

/** The first candidate whose cut (the statement up to and including it) fails with `message` on an empty database. */
async function firstFailingCut(found: readonly Span[], text: string, driver: Driver, message: string): Promise<Span | undefined> {
  if (driver.scratch === undefined) return undefined;
  let scratch: Driver;
  try {
    scratch = await driver.scratch();
  } catch {
    // Only the location is at stake: the statement's start will do, and the failure itself is reported.
    return undefined;
  }
  try {
    for (const span of found) {
      try {
        await compileStatement(scratch, text.slice(0, span.end));
      } catch (error) {
        if (messageOf(error) === message) return span;
      }
    }
    return undefined;
  } finally {
    // Closing an in-memory database cannot lose anything, and must not hide the failure being located.
    await scratch.close().catch(() => undefined);
  }
}
