import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseMigrationFiles } from '@strata/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as yaml from 'yaml';
import { fullYaml } from '../src/node/yaml.js';
import { yamlValue } from '../src/parse/meta.js';
import { readSimpleYaml } from '../src/parse/meta-yaml.js';
import { InexactNumber } from '../src/parse/yaml-number.js';

// The `yaml` package is the oracle: whatever readSimpleYaml reads, the package must read without error, to the same
// value as the full path gives it (yamlValue: the package's, but for numbers that cannot be held as written).
const full = (text: string) => yaml.parseDocument(text, { schema: 'core', uniqueKeys: true });

// Compared as JSON, which keeps key order and tells null from undefined (and here -0 from 0), because toStrictEqual
// reads an own "constructor" key as the object's class.
const canonical = (value: unknown) => JSON.stringify(value, (_, v: unknown) => (Object.is(v, -0) ? { negativeZero: true } : v));

function expectSameAsYaml(text: string): 'read' | 'left' {
  const simple = readSimpleYaml(text);
  if (!('value' in simple)) return 'left';
  const doc = full(text);
  expect(doc.errors.map((e) => e.message)).toEqual([]);
  expect(canonical(simple.value)).toBe(canonical(yamlValue(doc)));
  return 'read';
}

function expectRead(text: string): unknown {
  const simple = readSimpleYaml(text);
  expect(simple).toHaveProperty('value');
  expect(expectSameAsYaml(text)).toBe('read');
  return 'value' in simple ? simple.value : undefined;
}

const unsupported = (text: string) => {
  const simple = readSimpleYaml(text);
  return 'unsupported' in simple ? simple.unsupported : undefined;
};

const root = (path: string) => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const metaFilesIn = (dir: string) =>
  readdirSync(root(dir), { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .flatMap((e) => {
      try {
        return [readFileSync(root(`${dir}/${e.name}/meta.yaml`), 'utf8')];
      } catch {
        return [];
      }
    });

/** meta.yaml files as they are written: by `migrate new`, in the README, in this repository and in the tests. */
const TYPICAL = [
  'description: "Creates t_00042, which refers to t_00041."\ndependencies:\n  - "00041"\n',
  'description: "Add user tags"\ncreated_at: "2025-01-15T10:30:00Z"\n',
  'description: "Add user tags"\ndependencies: ["001", "003"]\ncreated_at: "2025-01-15T10:30:00Z"\n',
  [
    'description: "Indexes for the dashboard queries"',
    'dependencies: ["001"]        # versions that must be applied first',
    'transaction: true            # false only for the rare migration that must run outside a transaction',
    'foreign_keys: off            # for table rebuilds: foreign keys off around the transaction, checked before commit',
    'created_at: "2025-01-22T09:00:00Z"',
    '',
  ].join('\n'),
  '\ufeffdescription: "Users\u2028and\u2029more"\r\ntransaction: true\r\n',
  'description: Adds b\ndependencies: ["001"]\ntransaction: false\ncreated_at: "2025-01-15T10:30:00Z"\n',
  'dependencies:\n  - 001\n',
  'dependencies:\n- "001"\n- "002"\n',
  'dependencies: []\n',
  'transaction: false\n',
  'transaction: false\ndependencies: ["002"]\n',
  'foreign_keys: off\n',
  'foreign_keys: false\n',
  "description: 'It''s here'\n",
  'description: |\n  Rebuilds users.\n\n  Keeps every row.\n',
  'description: |-\n  One line, no break.\ncreated_at: 2025-01-15\n',
  '---\n# Adds tags\ndescription: Adds tags # why\n...\n',
  '',
  '# only a comment\n',
  ...metaFilesIn('migrations'),
  ...metaFilesIn('examples/browser/test-migrations'),
];

describe('readSimpleYaml', () => {
  it('reads every typical meta.yaml, to what the yaml package reads', () => {
    expect(TYPICAL.length).toBeGreaterThan(20);
    for (const text of TYPICAL) expectRead(text);
  });

  it('resolves plain values by the YAML 1.2 core schema', () => {
    expect(expectRead('a: ~\nb: Null\nc: NULL\nd:\ne: nULL\n')).toEqual({ a: null, b: null, c: null, d: null, e: 'nULL' });
    expect(expectRead('a: true\nb: True\nc: FALSE\nd: yes\ne: off\nf: tRue\n')).toEqual({
      a: true,
      b: true,
      c: false,
      d: 'yes',
      e: 'off',
      f: 'tRue',
    });
    expect(expectRead('a: 001\nb: +5\nc: 1_000\nd: 2025-01-15\ne: 12:30\nf: 1.2.3\n')).toEqual({
      a: 1,
      b: 5,
      c: '1_000',
      d: '2025-01-15',
      e: '12:30',
      f: '1.2.3',
    });
    expect(expectRead('a: x#y\nb: x # y\nc: http://x:80/a\nd: a, [b] {c}\ne: Say "hi"\n')).toEqual({
      a: 'x#y',
      b: 'x',
      c: 'http://x:80/a',
      d: 'a, [b] {c}',
      e: 'Say "hi"',
    });
  });

  it('gives a number that cannot be held as written as its text, as the full path gives it', () => {
    const value = expectRead('a: 99999999999999999999\nb: [1e400, 0x1FFFFFFFFFFFFFFFFF, 9007199254740991]\nc:\n  - +.5e999\n');
    expect(value).toEqual({
      a: new InexactNumber('99999999999999999999'),
      b: [new InexactNumber('1e400'), new InexactNumber('0x1FFFFFFFFFFFFFFFFF'), 9007199254740991],
      c: [new InexactNumber('+.5e999')],
    });
    expect(unsupported('a: 1e300\n')).toBe('the number 1e300, which is not a decimal integer, at line 1');
  });

  it('reads quoted values and their escapes', () => {
    expect(expectRead('a: "q\\" b\\\\ s\\/ \\n\\t\\r\\b\\f \\u00e9\\ud83d\\ude00 # not a comment"\n')).toEqual({
      a: 'q" b\\ s/ \n\t\r\b\f é😀 # not a comment',
    });
    expect(expectRead("a: 'it''s \\n: #'  # comment\nb: ''\n")).toEqual({ a: "it's \\n: #", b: '' });
  });

  it('reads lists, on one line and as blocks', () => {
    expect(expectRead('a: [x, "y", 003, \'z\', null]\nb: [ ]\n')).toEqual({ a: ['x', 'y', 3, 'z', null], b: [] });
    expect(expectRead('a:\n  - x\n  # between\n  -\n  - "y" # after\nb:\n- 1\n')).toEqual({ a: ['x', null, 'y'], b: [1] });
  });

  it('reads | block text with each chomping', () => {
    const body = '\n  first\n\n    indented\n  last\n\n\n';
    expect(expectRead(`a: |${body}b: 1\n`)).toEqual({ a: 'first\n\n  indented\nlast\n', b: 1 });
    expect(expectRead(`a: |-${body}`)).toEqual({ a: 'first\n\n  indented\nlast' });
    expect(expectRead(`a: |+${body}# end\n`)).toEqual({ a: 'first\n\n  indented\nlast\n\n\n' });
    expect(expectRead('a: | # why\n  # not a comment\nb: |\n')).toEqual({ a: '# not a comment\n', b: '' });
  });

  it.each([
    'a:\n  - x\n\n  -   y\n',
    'a:\n- x\n  # c\n- y\n',
    'a: |\n  x\n  \n  y\n',
    'a: |\n\n\n  x\n',
    'a: |-\n  x\n\n\nb: 1',
    'a: |+\n  x\n\n...\n',
    'a: |\n  x\n...\n',
    'a: |+\n  x',
    'a: |\n    x\n  # less indented, so a comment\nb: 1\n',
    "a: ''''\nb: '#'\n",
    'a: "\\u0000\\t"\n',
    'a: ~x\nb: +\nc: .\nd: 01:30\ne: 0_1\nf: 1_0\n',
    'a: "x"   \nb: [ "x" ]  # c\n',
    'a: x\r\nb: |\r\n  y\r\n\r\n  z\r\n',
  ])('agrees with the yaml package on %j', (text) => {
    expectRead(text);
  });

  it.each([
    ['an anchor', 'a: &x 1\n', 'a value starting with & at line 1'],
    ['an alias', 'a: *x\n', 'a value starting with * at line 1'],
    ['a tag', 'a: !!str 1\n', 'a value starting with ! at line 1'],
    ['a repeated key', 'a: 1\nb: 2\na: 3\n', 'a second "a" key at line 3'],
    ['a key read as a boolean', 'True: 1\n', 'the key True at line 1'],
    ['a float', 'a: [1.5]\n', 'the number 1.5, which is not a decimal integer, at line 1'],
    ['a hexadecimal number', 'a: 0x1F\n', 'the number 0x1F, which is not a decimal integer, at line 1'],
    ['a nested mapping', 'a:\n  b: 1\n', 'an indented line (a nested mapping, or a value over several lines) at line 2'],
    ['a value over two lines', 'a: one\n  two\n', 'an indented line (a nested mapping, or a value over several lines) at line 2'],
    ['a mapping in a value', 'a: b: c\n', 'a colon followed by a space in a value (a nested mapping); quote the value at line 1'],
    ['a top-level list', '- a\n- b\n', 'a list outside a key at line 1'],
    ['a tab', 'a:\tb\n', 'a line that is not "key: value" with a plain key at line 1'],
    ['a folded block', 'a: >\n  x\n', 'a folded block scalar (>) at line 1'],
    ['an indentation indicator', 'a: |2\n  x\n', 'a block scalar header other than |, |- or |+ at line 1'],
    ['an unknown escape', 'a: "\\x41"\n', 'the escape \\x at line 1'],
    ['an unclosed list', 'a: [x\n', 'a [ ] list that is nested, unclosed or holds more than scalars at line 1'],
    ['a trailing comma', 'a: [x, ]\n', 'an empty entry or a trailing comma in a [ ] list at line 1'],
    ['a second document', 'a: 1\n---\nb: 2\n', 'a second document at line 2'],
    ['a lone carriage return', 'a: 1\rb: 2\n', 'a carriage return without a line feed at line 1'],
    ['a carriage return before the last line', 'a: 1\r\nb: 2\r\r\n', 'a carriage return without a line feed at line 2'],
    ['a control character', 'a: 1\n\nb: "x\u0007"\n', 'a control character at line 3'],
    ['a lone high surrogate', '\ufeffa: 1\nb: "\ud800"\n', 'an unpaired surrogate at line 2'],
    ['a lone low surrogate', 'a: "\ud83d\ude00\udc00"\n', 'an unpaired surrogate at line 1'],
  ])('leaves %s to the yaml package, naming it', (_, text, what) => {
    expect(unsupported(text)).toBe(what);
  });

  it('gives exactly what the yaml package gives, or leaves the text to it, on texts in and around the subset', () => {
    let read = 0;
    fc.assert(
      fc.property(anyMetaText, (text) => {
        if (expectSameAsYaml(text) === 'read') read++;
      }),
      { numRuns: 3000 },
    );
    // The generator must reach the reader's accepting paths often, or the property proves little.
    expect(read).toBeGreaterThan(400);
  });

  it('reads every text written in the subset', () => {
    fc.assert(
      fc.property(subsetMetaText, (text) => void expectRead(text)),
      { numRuns: 1000 },
    );
  });

  it('reads any description as `migrate new` writes it (a JSON string)', () => {
    const anyCodeUnit = fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c));
    const description = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: anyCodeUnit }));
    fc.assert(
      fc.property(description, (text) => {
        const value = expectRead(`description: ${JSON.stringify(text)}\ncreated_at: "2025-01-15T10:30:00Z"\n`);
        expect(value).toEqual({ description: text, created_at: '2025-01-15T10:30:00Z' });
      }),
      { numRuns: 1000 },
    );
  });
});

describe('parseMigrationFiles and YAML beyond the subset', () => {
  const files = { '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': 'description: &d Adds a\n' };

  it('names the construct and how to pass the yaml package when it is not given', () => {
    expect(parseMigrationFiles(files).problems.map((p) => [p.code, p.file, p.version, p.message])).toEqual([
      [
        'INVALID_META',
        '001_a/meta.yaml',
        '001',
        '001_a/meta.yaml uses YAML beyond what Strata reads without the yaml package (a value starting with & at line 1); ' +
          "write it more simply, or pass the package: import * as yaml from 'yaml', then parseMigrationFiles(files, { yaml })",
      ],
    ]);
  });

  it('reads it with the yaml package when given, and gives the same result either way for simple files', () => {
    expect(parseMigrationFiles(files, { yaml }).migrations[0]?.meta.description).toBe('Adds a');
    expect(parseMigrationFiles(files, { yaml: fullYaml() }).migrations[0]?.meta.description).toBe('Adds a');
    const simple = { '001_a/up.sql': 'SELECT 1;', '002_b/up.sql': 'SELECT 1;', '002_b/meta.yaml': TYPICAL[0] ?? '' };
    expect(parseMigrationFiles(simple)).toEqual(parseMigrationFiles(simple, { yaml }));
  });

  it('loads the yaml package in fullYaml only when a file needs it, and never from the root entry', () => {
    expect(fullYaml().parseDocument).toBe(yaml.parseDocument);
    // In a fresh process, since this one has loaded the package already.
    const script = [
      "import { createRequire } from 'node:module';",
      `const { parseMigrationFiles } = await import(${JSON.stringify(root('packages/core/dist/index.js'))});`,
      `const { fullYaml } = await import(${JSON.stringify(root('packages/core/dist/node/yaml.js'))});`,
      'const cache = createRequire(import.meta.url).cache;',
      'const loaded = () => Object.keys(cache).some((path) => /[\\/]yaml[\\/]dist[\\/]/.test(path));',
      'const steps = [loaded()];',
      'const options = { yaml: fullYaml() };',
      "parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': 'description: x\\n' }, options);",
      'steps.push(loaded());',
      "parseMigrationFiles({ '001_a/up.sql': 'SELECT 1;', '001_a/meta.yaml': 'description: &x x\\n' }, options);",
      'steps.push(loaded());',
      'console.log(JSON.stringify(steps));',
    ].join('\n');
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(JSON.parse(output)).toEqual([false, false, true]);
  });
});

// ---- generators ----------------------------------------------------------------------------------------------------

const pick = <T>(...values: T[]) => fc.constantFrom(...values);
/** One of `usual` most of the time, else one of `rare`. */
const mostly = <T>(usual: T[], rare: T[]) =>
  fc.oneof({ arbitrary: pick(...usual), weight: 8 }, { arbitrary: pick(...rare), weight: 1 });

/** Letters, characters that matter to YAML, and a few rarer ones that merely look odd or are not allowed. */
const oddChar = fc.oneof(
  { arbitrary: pick(...'abZ_019 '), weight: 12 },
  { arbitrary: pick(...'-.:#\'"\\,[]{}&*!|>%@`~?+/eExo'), weight: 6 },
  { arbitrary: pick('\t', 'é', '\u2028', '\x80', '\x85', '\x9f', '\x7f', '\ufeff', '😀', '\x01'), weight: 1 },
);
const word = fc.string({ unit: oddChar, maxLength: 10 });
const numberLike = pick(
  ...['0', '001', '42', '-1', '+5', '-0', '0x1F', '0o17', '0b1', '1e3', '1E3', '.5', '1.', '1.5', '-.5e-2', '1_000'],
  ...['.inf', '-.Inf', '+.INF', '.NaN', '.nan', '-.nan', '99999999999999999999', '12:30', '2025-01-15', '2025-01-15T10:30:00Z'],
  ...['1e400', '+1E+400', '.5e999', '0x1FFFFFFFFFFFFFFFFF', '0o7777777777777777777777', '9007199254740993'],
  ...['~', 'null', 'Null', 'NULL', 'nULL', 'true', 'True', 'TRUE', 'tRue', 'false', 'FALSE', 'yes', 'no', 'on', 'off', 'y'],
);
const escapeSequence = pick(
  ...['\\"', '\\\\', '\\/', '\\n', '\\t', '\\r', '\\b', '\\f', '\\u00e9', '\\u00E9', '\\ud83d\\ude00', '\\ud800', '\\udc00'],
  ...['\\u12', '\\x41', '\\0', '\\ ', '\\N', '\\U0001F600', '\\q', '\\e', '\\_', '\\'],
);
const doubleQuoted = fc.array(fc.oneof(word, escapeSequence), { maxLength: 4 }).map((parts) => `"${parts.join('')}"`);
const singleQuoted = fc.array(fc.oneof(word, pick("''", "'")), { maxLength: 4 }).map((parts) => `'${parts.join('')}'`);
const scalar = fc.oneof(
  { arbitrary: word, weight: 3 },
  { arbitrary: numberLike, weight: 3 },
  { arbitrary: doubleQuoted, weight: 2 },
  { arbitrary: singleQuoted, weight: 2 },
  { arbitrary: pick('&a x', '*a', '!!str 1', '!!int "3"', '""', "''", '"a"b', '"a":', 'a: b', '- a', '|', '? a'), weight: 1 },
);
const comment = mostly(['', '', ' # note', '  #note: x'], ['#not', '\t# tab', ' #']);
const flowSequence = fc
  .tuple(fc.array(scalar, { maxLength: 4 }), pick(', ', ',', ' , '), pick('', ' '), mostly([''], [',', ', ', '[', ']', ' x']))
  .map(([items, separator, pad, extra]) => `[${pad}${items.join(separator)}${extra}${pad}]`);
const key = fc.oneof(
  { arbitrary: pick('description', 'dependencies', 'transaction', 'foreign_keys', 'created_at', 'a', '_b', 'x1'), weight: 12 },
  {
    arbitrary: pick('null', 'True', '__proto__', 'constructor', '"a"', "'a'", 'a b', '-', '? x', '1', 'a'.repeat(101), ''),
    weight: 1,
  },
);
const separator = fc.oneof({ arbitrary: pick(': ', ':  '), weight: 12 }, { arbitrary: pick(':', ':\t', ' : '), weight: 1 });
const inlineEntry = fc
  .tuple(key, separator, fc.oneof(scalar, flowSequence), comment)
  .map(([k, s, value, c]) => [`${k}${s}${value}${c}`]);
const blockSequenceEntry = fc
  .tuple(
    key,
    comment,
    pick(0, 2, 4),
    fc.array(fc.tuple(mostly([0], [1, 2]), mostly([' ', '  '], ['', '\t']), fc.oneof(scalar, pick('', '[a]')), comment), {
      minLength: 1,
      maxLength: 4,
    }),
  )
  .map(([k, c, indent, items]) => [
    `${k}:${c}`,
    ...items.map(([shift, gap, item, ic]) => `${' '.repeat(indent + (shift === 2 ? 1 : 0))}-${gap}${item}${ic}`),
  ]);
const blockLine = fc.oneof(
  fc.tuple(mostly([0, 0, 1], [2, -1, -2]), word).map(([shift, text]) => ({ shift, text })),
  pick({ shift: 0, text: '' }, { shift: -99, text: '' }, { shift: 1, text: '' }, { shift: 0, text: '# c' }),
);
const blockScalarEntry = fc
  .tuple(
    key,
    mostly(['|', '|-', '|+', '| # c'], ['>', '>-', '|2', '|-2', '|+ ', '|#c']),
    pick(1, 2, 2, 4),
    fc.array(blockLine, { maxLength: 6 }),
  )
  .map(([k, header, indent, lines]) => [
    `${k}: ${header}`,
    ...lines.map(({ shift, text }) => `${' '.repeat(Math.max(0, indent + shift))}${text}`),
  ]);
const noise = mostly(
  ['', '# comment', '  # indented comment', '   '],
  ['---', '...', '--- x', '%YAML 1.2', '- item', '  continuation', '\t', 'a:b', '? a', ': b', '  b: 1', '&a', '"k": v'],
).map((line) => [line]);
const anyMetaText = fc
  .tuple(
    pick('', '\ufeff'),
    mostly(['', '---\n'], ['--- # c\n', '%YAML 1.2\n---\n']),
    fc.array(
      fc.oneof(
        { arbitrary: inlineEntry, weight: 6 },
        { arbitrary: blockSequenceEntry, weight: 2 },
        { arbitrary: blockScalarEntry, weight: 2 },
        { arbitrary: noise, weight: 1 },
      ),
      { maxLength: 5 },
    ),
    mostly(['\n', '\n', '\r\n'], ['\r']),
    mostly(['', '...'], ['...\n---\nb: 1', '...\n# end']),
    fc.boolean(),
  )
  .map(([bom, start, entries, eol, end, finalBreak]) => {
    const lines = [...entries.flat(), ...(end === '' ? [] : [end])];
    return `${bom}${start}${lines.join(eol)}${finalBreak && lines.length > 0 ? eol : ''}`;
  });

// Texts inside the subset only, each of which must be read.
const safeChar = pick(...'abcXYZ019 .,()/!?\'"-_é😀\u2028\x85');
const plainValue = fc.tuple(pick(...'abcXYZ'), fc.string({ unit: safeChar, maxLength: 12 })).map(([first, rest]) => first + rest);
const jsonString = fc.string({ unit: 'binary', maxLength: 12 }).map((text) => JSON.stringify(text));
const integer = fc.oneof(
  fc.nat().map(String),
  fc.nat(999).map((n) => String(n).padStart(3, '0')),
);
const subsetScalar = fc.oneof(
  plainValue,
  jsonString,
  fc.string({ unit: safeChar, maxLength: 12 }).map((text) => `'${text.replace(/'/g, "''")}'`),
  integer,
  pick('true', 'false', 'null', '~', 'off', 'on'),
);
const flowScalar = fc.oneof(jsonString, integer, fc.string({ unit: pick(...'abcXYZ'), minLength: 1, maxLength: 5 }));
const subsetValue = fc.oneof(
  fc
    .tuple(
      subsetScalar,
      comment.filter((c) => !c.includes('\t') && c !== '#not'),
    )
    .map(([s, c]) => [s + c]),
  fc.array(flowScalar, { maxLength: 4 }).map((items) => [`[${items.join(', ')}]`]),
  fc
    .tuple(pick('', '  ', '    '), fc.array(subsetScalar, { minLength: 1, maxLength: 4 }))
    .map(([indent, items]) => ['', ...items.map((item) => `${indent}- ${item}`)]),
  fc
    .tuple(
      pick('|', '|-', '|+'),
      plainValue,
      fc.array(fc.oneof(fc.string({ unit: safeChar, maxLength: 10 }), pick('', '  # not a comment')), { maxLength: 4 }),
    )
    // A line of spaces only is written empty: one with more spaces than the text is left to the yaml package.
    .map(([header, first, rest]) => [` ${header}`, ...[first, ...rest].map((line) => (line.trim() === '' ? '' : `  ${line}`))]),
);
const subsetMetaText = fc
  .tuple(
    fc.uniqueArray(pick('description', 'dependencies', 'transaction', 'foreign_keys', 'created_at', 'a', '_b', 'x1'), {
      maxLength: 5,
    }),
    fc.array(subsetValue, { minLength: 5, maxLength: 5 }),
    pick('\n', '\r\n'),
    pick('', '\ufeff'),
    pick('', '---'),
  )
  .map(([keys, values, eol, bom, start]) => {
    const lines = keys.flatMap((k, i) => {
      const [first = '', ...rest] = values[i] ?? [''];
      const head = first === '' || first.startsWith(' ') ? `${k}:${first}` : `${k}: ${first}`;
      return [head, ...rest, ...(i % 2 === 0 ? ['# comment'] : [])];
    });
    return `${bom}${[...(start === '' ? [] : [start]), ...lines].join(eol)}${eol}`;
  });
