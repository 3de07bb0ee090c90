import type * as Yaml from 'yaml';
import { StrataError } from '../errors.js';
import type { MigrationMeta, ReplacedMigration } from '../migration.js';
import { readSimpleYaml } from './meta-yaml.js';
import { InexactNumber, numberAsWritten } from './yaml-number.js';

/**
 * The part of the `yaml` package that reads a meta.yaml beyond the simple form Strata reads itself: pass the package,
 * `import * as yaml from 'yaml'`. Only its type is imported here, so the package is loaded only by those who pass it.
 */
export type YamlParser = Pick<typeof Yaml, 'parseDocument'>;

/** meta.yaml as written by hand, or passed to `registerMigration`. */
export interface MetaInput {
  readonly description?: string;
  readonly dependencies?: readonly (string | number)[];
  readonly transaction?: boolean;
  /** `off` (or `false`) to rebuild tables that others reference; `on` (or `true`) is the default. */
  readonly foreign_keys?: 'off' | 'on' | boolean;
  readonly created_at?: string;
  /** Of a squashed migration: `version checksum` for each migration it stands for (`001 5d41402a…`). */
  readonly replaces?: readonly string[];
  /** `expand` or `contract`: when the migration may run during a blue-green deployment (see `classifyChange`). */
  readonly phase?: 'expand' | 'contract';
}

const KNOWN_KEYS = new Set(['description', 'dependencies', 'transaction', 'foreign_keys', 'created_at', 'replaces', 'phase']);
/** An entry of `replaces`: a version, white space, and the MD5 hex of the replaced up.sql. */
const REPLACED = /^(\d+)\s+([0-9a-fA-F]{32})$/;
const VERSION = /^\d+$/;
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** The outcome of reading a meta.yaml: the settings, or the problems that stop it from being used. */
export interface MetaResult {
  readonly meta: MigrationMeta;
  readonly problems: readonly StrataError[];
}

const DEFAULT_META: MigrationMeta = { dependencies: [], transaction: true };

/**
 * Parses the text of a meta.yaml. YAML errors, unknown keys and values of the wrong type are problems naming `file`.
 * The common form (plain keys, one-line values, lists, `|` text; see `readSimpleYaml`) is read without `yaml`; any
 * other YAML needs the package passed as `yaml`, and without it is a problem saying so. Aliases are limited, so a file
 * built to expand exponentially is refused rather than expanded.
 */
export function parseMeta(text: string, file: string, version: string, yaml?: YamlParser): MetaResult {
  const simple = readSimpleYaml(text);
  if ('value' in simple) return checkMeta(simple.value, file, version);
  if (yaml !== undefined) return parseFullYaml(text, file, version, yaml);
  const beyond = `uses YAML beyond what Strata reads without the yaml package (${simple.unsupported})`;
  const message = `${file} ${beyond}; write it more simply, or pass the package: ${PASS_YAML}`;
  return failed(new StrataError('INVALID_META', message, { version, file }));
}

// A string of its own, so that no text before it makes it look like an import statement to a scanner of imports.
const PASS_YAML = "import * as yaml from 'yaml', then parseMigrationFiles(files, { yaml })";

function parseFullYaml(text: string, file: string, version: string, yaml: YamlParser): MetaResult {
  // Plain errors (no location or excerpt appended to the message): the location is told here, in Strata's words.
  const doc = yaml.parseDocument(text, { schema: 'core', uniqueKeys: true, prettyErrors: false });
  const [yamlError] = doc.errors;
  if (yamlError !== undefined) {
    const at = locationOf(text, yamlError.pos[0]);
    const reason = firstLine(yamlError.message);
    return failed(new StrataError('INVALID_META', `${file} is not valid YAML${at}: ${reason}`, { version, file }));
  }
  let value: unknown;
  try {
    value = yamlValue(doc);
  } catch (error) {
    return failed(
      new StrataError('INVALID_META', `${file} could not be read: ${firstLine(String(error))}`, { version, file, cause: error }),
    );
  }
  return checkMeta(value, file, version);
}

/**
 * The value of a parsed meta.yaml: what `doc.toJS()` gives, with an {@link InexactNumber} in place of each number that
 * cannot be held as written (`1e400`, `99999999999999999999`), as `readSimpleYaml` gives it. Aliases are limited, so
 * a file built to expand exponentially is refused (thrown) rather than expanded.
 *
 * @example
 * ```ts
 * yamlValue(yaml.parseDocument('dependencies: [1e400]\n', { schema: 'core' })); // { dependencies: [InexactNumber { text: '1e400' }] }
 * ```
 */
export function yamlValue(doc: Yaml.Document.Parsed): unknown {
  markInexactNumbers(doc.contents);
  return doc.toJS({ maxAliasCount: 100 });
}

/** The parts of the `yaml` package's nodes that {@link markInexactNumbers} reads, without importing the package. */
interface YamlNode {
  readonly items?: unknown;
  readonly key?: unknown;
  value?: unknown;
  readonly source?: unknown;
}

/**
 * Walks collections and the values of their pairs (keys are never numbers that matter: a key must be a word) and puts
 * an {@link InexactNumber} in each numeric scalar that cannot be held as written, which `toJS` then passes on as it is.
 */
function markInexactNumbers(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  const yamlNode = node as YamlNode;
  if (Array.isArray(yamlNode.items)) for (const item of yamlNode.items) markInexactNumbers(item);
  else if ('key' in yamlNode) markInexactNumbers(yamlNode.value);
  else if (typeof yamlNode.value === 'number' && typeof yamlNode.source === 'string') {
    yamlNode.value = numberAsWritten(yamlNode.source, yamlNode.value);
  }
}

/** Checks a meta value, from YAML or from code, and returns it in canonical form. */
export function checkMeta(value: unknown, file: string, version: string): MetaResult {
  if (value === null || value === undefined) return { meta: DEFAULT_META, problems: [] };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return failed(new StrataError('INVALID_META', `${file} must be a mapping of keys to values`, { version, file }));
  }
  const problems: StrataError[] = [];
  const problem = (message: string) => problems.push(new StrataError('INVALID_META', `${file}: ${message}`, { version, file }));

  for (const key of Object.keys(value)) {
    if (!KNOWN_KEYS.has(key)) problem(`unknown key "${key}" (allowed: ${[...KNOWN_KEYS].join(', ')})`);
  }
  const record = withoutInexactNumbers(value as Record<string, unknown>, problem);
  const {
    description,
    dependencies = [],
    transaction = true,
    foreign_keys: foreignKeys = 'on',
    created_at: createdAt,
    replaces,
    phase,
  } = record;
  if (description !== undefined && typeof description !== 'string') problem('"description" must be a string');
  if (typeof transaction !== 'boolean') problem('"transaction" must be true or false');
  // YAML's core schema reads `off` as a string, so both spellings a user might reach for are accepted, and no other.
  const keysOff = foreignKeys === 'off' || foreignKeys === false;
  if (!keysOff && foreignKeys !== 'on' && foreignKeys !== true) {
    problem('"foreign_keys" must be off (to rebuild a table that others reference) or on, the default');
  } else if (keysOff && transaction === false) {
    problem(
      '"foreign_keys: off" runs the migration in a transaction with foreign keys off, so it cannot be combined with "transaction: false"; a migration outside a transaction can run PRAGMA foreign_keys itself',
    );
  }
  if (createdAt !== undefined && (typeof createdAt !== 'string' || !isIsoDate(createdAt))) {
    problem('"created_at" must be an ISO 8601 date or date-time, such as 2025-01-15T10:30:00Z');
  }
  const versions: string[] = [];
  if (!Array.isArray(dependencies)) {
    problem('"dependencies" must be a list of versions, such as ["001", "002"]');
  } else {
    for (const dependency of dependencies) {
      const spelled = typeof dependency === 'number' && Number.isSafeInteger(dependency) ? String(dependency) : dependency;
      if (typeof spelled === 'string' && VERSION.test(spelled)) versions.push(spelled);
      else
        problem(
          `dependency ${typeof dependency === 'number' ? String(dependency) : JSON.stringify(dependency)} is not a version (digits, such as "001")`,
        );
    }
  }
  if (phase !== undefined && phase !== 'expand' && phase !== 'contract') {
    problem(
      '"phase" must be expand (the previous version of the application still works after it) or contract (it runs once that version is gone)',
    );
  }
  const replaced = replaces === undefined ? undefined : readReplaces(replaces, problem);
  if (problems.length > 0) return { meta: DEFAULT_META, problems };
  return {
    meta: {
      ...(replaced === undefined ? {} : { replaces: replaced }),
      dependencies: versions,
      transaction: transaction as boolean,
      ...(keysOff ? { foreignKeys: false as const } : {}),
      ...(description === undefined ? {} : { description: description as string }),
      ...(createdAt === undefined ? {} : { createdAt: createdAt as string }),
      ...(phase === undefined ? {} : { phase: phase as 'expand' | 'contract' }),
    },
    problems: [],
  };
}

/**
 * The entries of `replaces`, each `version checksum`: the versions a squashed migration stands for, with the checksum
 * of each one's up.sql (see {@link MigrationMeta.replaces}).
 */
function readReplaces(value: unknown, problem: (message: string) => void): ReplacedMigration[] {
  const entries: ReplacedMigration[] = [];
  if (!Array.isArray(value) || value.length === 0) {
    problem(
      '"replaces" must be a list of the migrations a squashed migration stands for, each "version checksum", such as "001 5d41402abc4b2a76b9719d911017c592"',
    );
    return entries;
  }
  for (const item of value) {
    const match = typeof item === 'string' ? REPLACED.exec(item.trim()) : null;
    if (match === null)
      problem(
        `"replaces" entry ${JSON.stringify(item)} is not a version and an MD5 checksum, such as "001 5d41402abc4b2a76b9719d911017c592"`,
      );
    else entries.push({ version: match[1] ?? '', checksum: (match[2] ?? '').toLowerCase() });
  }
  return entries;
}

/**
 * `record` without the keys whose value is, or lists, a number that cannot be held as written: each is reported, by
 * key and text, and left out of the other checks, which would only call the same value something else.
 */
function withoutInexactNumbers(record: Record<string, unknown>, problem: (message: string) => void): Record<string, unknown> {
  let kept: Record<string, unknown> | undefined;
  for (const [key, value] of Object.entries(record)) {
    const inexact = (Array.isArray(value) ? value : [value]).find((item) => item instanceof InexactNumber);
    if (!(inexact instanceof InexactNumber)) continue;
    const hint = key === 'dependencies' ? '; write versions in quotes, such as "001"' : '';
    problem(`"${key}" holds ${inexact.text}, a number too large to be read exactly as written${hint}`);
    kept ??= { ...record };
    delete kept[key];
  }
  return kept ?? record;
}

function isIsoDate(text: string): boolean {
  return ISO_8601.test(text) && !Number.isNaN(Date.parse(text.replace(' ', 'T')));
}

function failed(problem: StrataError): MetaResult {
  return { meta: DEFAULT_META, problems: [problem] };
}

/** ` at line L, column C` of the character at `offset` of `text`, both counted from 1. */
function locationOf(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return ` at line ${line}, column ${offset - before.lastIndexOf('\n')}`;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? text;
}
