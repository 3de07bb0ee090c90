// A reader for the small part of YAML that meta.yaml files are written in, so that reading them needs neither the
// `yaml` package (about 19 ms to import at every start-up and most of the browser bundle) nor its general parser.
// It is exact or silent: for any text it either gives what `parseDocument(text, { schema: 'core', uniqueKeys: true })
// .toJS()` gives (but for a number that cannot be held as written, which both readers give as an InexactNumber; see
// `yamlValue` in meta.ts), or names the first construct it does not read, and the caller falls back to the full parser. So a
// rule here errs towards giving up: every construct it accepts is one whose meaning is certain, and anything YAML
// might read another way (a tab, a colon inside a plain value, a number that is not a decimal integer, a line
// continuing a value) sends the text to the full parser. packages/core/test/meta-yaml.test.ts checks this against
// the `yaml` package on random texts inside and just outside the subset.

import { InexactNumber, numberAsWritten } from './yaml-number.js';

/** What {@link readSimpleYaml} made of a text: its value, or the first construct it does not read and where. */
export type SimpleYaml = { readonly value: unknown } | { readonly unsupported: string };

/** Thrown to abandon a text; carries what was found and where. */
class Unsupported extends Error {}

const KEY = /^([A-Za-z_]\w{0,99}):(?: +|$)/;
/** Keys the core schema reads as null or a boolean rather than as a string. */
const NON_STRING_KEY = /^(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$/;
const ITEM = /^( *)-(?: +|$)/;
const LITERAL_HEADER = /^\|([+-]?)(?: +(?:#.*)?)?$/;
/** What may follow a value on its line: nothing, or a comment after white space. */
const LINE_END = /^(?: *| +#.*)$/;
/** Characters that, first in a plain value, make it something else (or are reserved). */
const INDICATORS = new Set('-?:,[]{}#&*!|>\'"%@`');
/** Characters that end a plain value inside `[…]`. */
const FLOW_INDICATORS = new Set(',[]{}');
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', n: '\n', t: '\t', r: '\r', b: '\b', f: '\f' };
const HEX4 = /^[0-9a-fA-F]{4}$/;

// The tests of the core schema, in the order the `yaml` package tries them (yaml/dist/schema/core). Only the decimal
// integer is resolved here; a value that any of the other numeric tests matches is left to the full parser.
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const BOOLEAN = /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/;
const INTEGER = /^[-+]?[0-9]+$/;
const OTHER_NUMBER = [
  /^0o[0-7]+$/,
  /^0x[0-9a-fA-F]+$/,
  /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
  /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
];

/**
 * Reads a meta.yaml written in the common subset of YAML: optional BOM, `---` and `...`; comments; a top-level
 * mapping of plain keys at column 0; each value empty, a single-line plain, single- or double-quoted scalar, a
 * single-line `[…]` list of such scalars, a block list (`- item` lines) of them, or a literal block scalar (`|`,
 * `|-`, `|+`). Returns the value the `yaml` package's `parseDocument(text, { schema: 'core', uniqueKeys: true })`
 * gives through `yamlValue` (its `toJS()`, with an `InexactNumber` for a number that cannot be held as written), or,
 * for any text outside the subset, `unsupported` naming the first construct not read (with its
 * line) so that the caller can use the full parser. Never returns a value for a text the `yaml` package refuses.
 *
 * @example
 * ```ts
 * readSimpleYaml('description: "Adds tags"\ndependencies: ["001"]\n'); // { value: { description: 'Adds tags', dependencies: ['001'] } }
 * readSimpleYaml('a: &x 1\n'); // { unsupported: 'a value starting with & at line 1' }
 * ```
 */
export function readSimpleYaml(text: string): SimpleYaml {
  try {
    return { value: readDocument(splitLines(text)) };
  } catch (error) {
    if (error instanceof Unsupported) return { unsupported: error.message };
    throw error;
  }
}

function bail(what: string, index: number): never {
  throw new Unsupported(`${what} at line ${index + 1}`);
}

/**
 * Characters YAML forbids or reads as line breaks: C0 controls but tab and line feed, a carriage return without a line
 * feed, and unpaired surrogates. DEL and the C1 controls are not YAML's printable characters either, but the `yaml`
 * package reads them as text, and `migrate new` writes them unescaped (as JSON.stringify does), so they are text here too.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is what it is for.
const FORBIDDEN = /[\x00-\x08\x0b-\x0c\x0e-\x1f]|\r(?!\n)|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The lines of `text` without their breaks (LF or CRLF), refusing characters YAML forbids or reads as breaks. */
function splitLines(text: string): string[] {
  const body = text.startsWith('\ufeff') ? text.slice(1) : text;
  const lines = body.split(/\r?\n/);
  const last = lines.at(-1);
  if (last === '') lines.pop();
  // A | block counts such a line as content or not in ways of its own.
  else if (last !== undefined && /^ +$/.test(last)) bail('spaces after the last line break', lines.length - 1);
  // One search of the whole text, in native code; the line is counted only for a text that has such a character.
  const forbidden = FORBIDDEN.exec(body);
  if (forbidden !== null) bail(describeForbidden(forbidden[0]), lineAt(body, forbidden.index));
  return lines;
}

function describeForbidden(character: string): string {
  const code = character.charCodeAt(0);
  if (code === 0x0d) return 'a carriage return without a line feed';
  return code < 0x20 ? 'a control character' : 'an unpaired surrogate';
}

/** The index of the line holding the character at `offset`. */
function lineAt(text: string, offset: number): number {
  let line = 0;
  for (let i = text.indexOf('\n'); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

const indentOf = (line: string): number => line.length - line.replace(/^ +/, '').length;
const isIgnorable = (line: string): boolean => /^ *(?:#.*)?$/.test(line);

/** The index of the first line at or after `index` that is not blank or a comment. */
function skipIgnorable(lines: readonly string[], index: number): number {
  let i = index;
  while (i < lines.length && isIgnorable(lines[i] ?? '')) i++;
  return i;
}

function readDocument(lines: readonly string[]): unknown {
  let i = skipIgnorable(lines, 0);
  if (lines[i] === '---') i = skipIgnorable(lines, i + 1);
  const record: Record<string, unknown> = {};
  let empty = true;
  for (; i < lines.length; i = skipIgnorable(lines, i)) {
    const line = lines[i] ?? '';
    if (line === '...') {
      if (skipIgnorable(lines, i + 1) < lines.length) bail('a second document', i + 1);
      break;
    }
    const key = KEY.exec(line);
    if (key === null) bail(describeLine(line), i);
    const [found, name = ''] = key;
    // The core schema reads these keys as null or a boolean, not as strings; `__proto__` would set the prototype.
    if (NON_STRING_KEY.test(name) || name === '__proto__') bail(`the key ${name}`, i);
    if (Object.hasOwn(record, name)) bail(`a second "${name}" key`, i);
    const [value, next] = readValue(lines, i, line.slice(found.length));
    record[name] = value;
    empty = false;
    i = next;
  }
  return empty ? null : record;
}

function describeLine(line: string): string {
  if (line.startsWith(' ')) return 'an indented line (a nested mapping, or a value over several lines)';
  if (ITEM.test(line)) return 'a list outside a key';
  if (line === '---') return 'a second document';
  if (line.startsWith('---') || line.startsWith('...')) return 'a document marker with more on its line';
  return 'a line that is not "key: value" with a plain key';
}

/** Reads the value that starts with `rest` on line `index`; returns it and the index of the line after it. */
function readValue(lines: readonly string[], index: number, rest: string): [unknown, number] {
  if (rest === '' || rest.startsWith('#')) return readBlockSequenceOrNull(lines, index + 1);
  if (rest.startsWith('|')) return readLiteral(lines, index, rest);
  if (rest.startsWith('>')) bail('a folded block scalar (>)', index);
  const value = rest.startsWith('[') ? readFlowSequence(rest, index) : readLineScalar(rest, index);
  // A more-indented line after it would continue the value or nest under it; readDocument refuses such a line.
  return [value, index + 1];
}

/** After `key:` with nothing on the line: a list of `- item` lines below, or else null. */
function readBlockSequenceOrNull(lines: readonly string[], index: number): [unknown, number] {
  const next = skipIgnorable(lines, index);
  const item = ITEM.exec(lines[next] ?? '');
  if (item === null) return [null, next];
  const indent = item[1]?.length;
  const items: unknown[] = [];
  let i = next;
  for (;;) {
    const match = ITEM.exec(lines[i] ?? '');
    // The line that ends the list must be a key, which readDocument checks, not an item indented otherwise.
    if (match === null) return [items, i];
    if (match[1]?.length !== indent) bail('a list item indented differently from the one before', i);
    const rest = (lines[i] ?? '').slice(match[0].length);
    items.push(rest === '' || rest.startsWith('#') ? null : readLineScalar(rest, i));
    i = skipIgnorable(lines, i + 1);
  }
}

/** A `|` block scalar: its text (chomped as the header says) and the index of the first line after it. */
function readLiteral(lines: readonly string[], index: number, header: string): [string, number] {
  const chomp = LITERAL_HEADER.exec(header)?.[1];
  if (chomp === undefined) bail('a block scalar header other than |, |- or |+', index);
  const body: string[] = [];
  let indent = 0;
  let leadingBlank = 0;
  let contentEnd = 0;
  let i = index + 1;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const spaces = indentOf(line);
    // Tabs are never indentation in YAML, and the `yaml` package treats them near it in ways of its own.
    if (line[spaces] === '\t') bail('a tab at the start of a line of a | block', i);
    if (spaces === line.length) {
      if (indent === 0) leadingBlank = Math.max(leadingBlank, spaces);
      // In YAML such a line is text (the spaces past the indentation are kept), and before the first line of text the
      // `yaml` package refuses it; both are left to it.
      else if (spaces > indent) bail('a blank line with more spaces than the text of a | block', i);
      body.push('');
      continue;
    }
    if (indent === 0) {
      if (spaces === 0) break;
      if (leadingBlank > spaces) bail('a blank line with more spaces than the text of a | block', i);
      indent = spaces;
    }
    if (spaces < indent) break;
    body.push(line.slice(indent));
    contentEnd = body.length;
  }
  // With no text at all the `yaml` package keeps a count of breaks of its own; leave that case to it.
  if (contentEnd === 0 && (chomp === '+' || leadingBlank > 0)) bail('a | block with no text', index);
  const text = body.slice(0, contentEnd).join('\n');
  if (contentEnd === 0) return ['', i];
  if (chomp === '-') return [text, i];
  if (chomp === '+') return [`${text}\n${'\n'.repeat(body.length - contentEnd)}`, i];
  return [`${text}\n`, i];
}

/** A `[a, "b", 3]` list on one line; anything nested, empty between commas or trailing is refused. */
function readFlowSequence(text: string, index: number): unknown[] {
  const items: unknown[] = [];
  let i = skipSpaces(text, 1);
  if (text[i] !== ']') {
    for (;;) {
      const [value, end] = readScalar(text, i, true, index);
      items.push(value);
      i = skipSpaces(text, end);
      if (text[i] === ']') break;
      if (text[i] !== ',') bail('a [ ] list that is nested, unclosed or holds more than scalars', index);
      i = skipSpaces(text, i + 1);
      if (text[i] === ']' || text[i] === ',') bail('an empty entry or a trailing comma in a [ ] list', index);
    }
  }
  expectLineEnd(text, i + 1, index);
  return items;
}

function skipSpaces(text: string, index: number): number {
  let i = index;
  while (text[i] === ' ') i++;
  return i;
}

/** A scalar that fills the rest of a line, but for a comment. */
function readLineScalar(text: string, index: number): unknown {
  const [value, end] = readScalar(text, 0, false, index);
  expectLineEnd(text, end, index);
  return value;
}

function expectLineEnd(text: string, end: number, index: number): void {
  if (!LINE_END.test(text.slice(end))) bail('more after a value on its line', index);
}

/** The scalar at `start` of `text` and the index just after it; `flow` inside `[…]`. */
function readScalar(text: string, start: number, flow: boolean, index: number): [unknown, number] {
  if (text[start] === '"') return readDoubleQuoted(text, start, index);
  if (text[start] === "'") return readSingleQuoted(text, start, index);
  return readPlain(text, start, flow, index);
}

function readDoubleQuoted(text: string, start: number, index: number): [string, number] {
  // Most values hold no escape: they are cut out whole rather than built a character at a time.
  const close = text.indexOf('"', start + 1);
  const backslash = text.indexOf('\\', start + 1);
  if (close >= 0 && (backslash < 0 || backslash > close)) return [text.slice(start + 1, close), close + 1];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch === '"') return [value, i + 1];
    if (ch !== '\\') value += ch;
    else if (text[i + 1] === 'u') {
      const hex = text.slice(i + 2, i + 6);
      if (!HEX4.test(hex)) bail('a \\u escape without four hex digits', index);
      value += String.fromCharCode(Number.parseInt(hex, 16));
      i += 5;
    } else {
      const escaped = ESCAPES[text[i + 1] ?? ''];
      if (escaped === undefined) bail(`the escape \\${text[i + 1] ?? ''}`, index);
      value += escaped;
      i++;
    }
  }
  return bail('a quoted value over several lines', index);
}

function readSingleQuoted(text: string, start: number, index: number): [string, number] {
  const close = text.indexOf("'", start + 1);
  if (close >= 0 && text.charCodeAt(close + 1) !== 0x27) return [text.slice(start + 1, close), close + 1];
  let value = '';
  for (let i = start + 1; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (ch !== "'") value += ch;
    else if (text[i + 1] === "'") {
      value += "'";
      i++;
    } else return [value, i + 1];
  }
  return bail('a quoted value over several lines', index);
}

function readPlain(text: string, start: number, flow: boolean, index: number): [unknown, number] {
  let end = start;
  // `#` starts a comment only after white space; inside `[…]` the flow indicators end the value.
  while (end < text.length && !(flow && FLOW_INDICATORS.has(text[end] ?? '')) && !(text[end] === '#' && text[end - 1] === ' ')) {
    end++;
  }
  const raw = text.slice(start, end).replace(/ +$/, '');
  const first = raw[0];
  if (first === undefined) bail('an empty entry in a [ ] list', index);
  if (INDICATORS.has(first)) bail(`a value starting with ${first}`, index);
  if (raw.includes('\t')) bail('a tab in a value', index);
  if (raw.includes('\ufeff')) bail('a byte-order mark in a value', index);
  if (flow && (raw.includes(':') || '[{}'.includes(text[end] ?? ',')))
    bail('a colon, [ ] or { } in a value in a [ ] list', index);
  if (!flow && /: |:$/.test(raw)) bail('a colon followed by a space in a value (a nested mapping); quote the value', index);
  return [resolvePlain(raw, index), start + raw.length];
}

/**
 * The core schema's reading of a plain scalar, for the forms read here; a number that cannot be held as written is
 * an {@link InexactNumber}, as meta.ts makes the `yaml` package's reading give too.
 */
function resolvePlain(raw: string, index: number): unknown {
  if (NULL.test(raw)) return null;
  if (BOOLEAN.test(raw)) return raw[0] === 't' || raw[0] === 'T';
  // The same conversion the `yaml` package makes, so 001 is 1.
  if (INTEGER.test(raw)) return numberAsWritten(raw, Number.parseInt(raw, 10));
  if (OTHER_NUMBER.some((test) => test.test(raw))) {
    // Such a number is left to the full parser, but for one too large to be read as written, whose text is all
    // that both readers keep of it.
    const base = raw.startsWith('0x') ? 16 : raw.startsWith('0o') ? 8 : 10;
    const value = base === 10 ? Number.parseFloat(raw) : Number.parseInt(raw.slice(2), base);
    const read = numberAsWritten(raw, value);
    if (read instanceof InexactNumber) return read;
    bail(`the number ${raw}, which is not a decimal integer,`, index);
  }
  return raw;
}
