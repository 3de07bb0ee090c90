import { type SqlValue, StrataError } from '@strata/core';
import { inlineBlobs } from './blobs.js';

// The integers JSON.parse would round: more than 15 digits. A response without such a run of digits, the usual one,
// is parsed by JSON.parse itself.
const LONG_DIGITS = /\d{16}/;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Parses rqlite's JSON answer, keeping integers beyond 2^53 exact: rqlite writes a 64-bit integer in full, and
 * `JSON.parse` would round it. Such an integer (one that fits SQLite's 64 bits) becomes a bigint; other numbers stay
 * numbers.
 *
 * @example
 * ```ts
 * parseJson('{"values":[[9007199254740993, 1.5]]}'); // { values: [[9007199254740993n, 1.5]] }
 * ```
 */
export function parseJson(text: string): unknown {
  if (!LONG_DIGITS.test(text)) return JSON.parse(text);
  const reader = new Reader(text);
  const value = reader.value();
  reader.end();
  return value;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
const STRING = /"(?:[^"\\]|\\.)*"/y;
const LITERAL = /true|false|null/y;

/** A small JSON reader, for the rare answer that holds a long integer; the grammar is JSON's. */
class Reader {
  private at = 0;

  constructor(private readonly text: string) {}

  value(): unknown {
    this.blank();
    const c = this.text[this.at];
    if (c === '{') return this.object();
    if (c === '[') return this.array();
    if (c === '"') return JSON.parse(this.match(STRING));
    if (c === 't' || c === 'f' || c === 'n') return JSON.parse(this.match(LITERAL));
    return this.number();
  }

  end(): void {
    this.blank();
    if (this.at !== this.text.length) this.fail();
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const found = NUMBER.exec(this.text);
    if (found === null) return this.fail();
    this.at = NUMBER.lastIndex;
    const [literal, fraction, exponent] = found;
    if (fraction === undefined && exponent === undefined) {
      const number = Number(literal);
      if (Number.isSafeInteger(number)) return number;
      const big = BigInt(literal);
      if (big >= INT64_MIN && big <= INT64_MAX) return big;
    }
    return Number(literal);
  }

  private object(): Record<string, unknown> {
    const object: Record<string, unknown> = {};
    this.at++;
    if (this.next() === '}') return this.close(object);
    for (;;) {
      this.blank();
      const key: string = JSON.parse(this.match(STRING));
      this.expect(':');
      object[key] = this.value();
      if (this.next() === '}') return this.close(object);
      this.expect(',');
    }
  }

  private array(): unknown[] {
    const array: unknown[] = [];
    this.at++;
    if (this.next() === ']') return this.close(array);
    for (;;) {
      array.push(this.value());
      if (this.next() === ']') return this.close(array);
      this.expect(',');
    }
  }

  private close<T>(value: T): T {
    this.at++;
    return value;
  }

  private next(): string | undefined {
    this.blank();
    return this.text[this.at];
  }

  private expect(c: string): void {
    if (this.next() !== c) this.fail();
    this.at++;
  }

  private match(pattern: RegExp): string {
    pattern.lastIndex = this.at;
    const found = pattern.exec(this.text);
    if (found === null) return this.fail();
    this.at = pattern.lastIndex;
    return found[0];
  }

  private blank(): void {
    while (this.at < this.text.length && ' \t\r\n'.includes(this.text[this.at] as string)) this.at++;
  }

  private fail(): never {
    throw new SyntaxError(`rqlite answered with JSON that cannot be read, at offset ${this.at}`);
  }
}

/** One statement as rqlite's HTTP API takes it: the SQL, then its positional parameters. */
export interface WireStatement {
  readonly sql: string;
  readonly params?: readonly SqlValue[] | undefined;
}

/**
 * The JSON body of a request: every statement in rqlite's parameterized form, `["SQL", param, …]`, with bigints
 * written exactly. rqlite's JSON has no way to carry a BLOB parameter (an array of numbers is refused with
 * `unsupported type`; see `inlineBlobs`) nor an infinite number: both are `NOT_SUPPORTED` here, before anything is sent.
 *
 * @example
 * ```ts
 * requestBody([{ sql: 'INSERT INTO t VALUES (?, ?)', params: [1, 2n ** 60n] }]); // '[["INSERT INTO t VALUES (?, ?)",1,1152921504606846976]]'
 * ```
 */
export function requestBody(statements: readonly WireStatement[]): string {
  return `[${statements
    .map(inlineBlobs)
    .map(({ sql, params = [] }) => `[${[JSON.stringify(sql), ...params.map(encodeValue)].join(',')}]`)
    .join(',')}]`;
}

function encodeValue(value: SqlValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number' && !Number.isFinite(value) && !Number.isNaN(value))
    throw new StrataError('NOT_SUPPORTED', `rqlite's JSON API cannot carry the parameter ${value}`);
  // `inlineBlobs` has written every BLOB into the SQL already.
  if (value instanceof Uint8Array) throw new StrataError('NOT_SUPPORTED', "rqlite's HTTP API takes no BLOB parameter");
  return JSON.stringify(value);
}
