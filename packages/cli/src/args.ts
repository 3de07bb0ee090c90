import { type ParseArgsConfig, parseArgs } from 'node:util';
import {
  COMMAND_NAMES,
  checkHistoryTableName,
  commandWords,
  DEFAULT_SETTINGS,
  LOCK_DEFAULTS,
  parseCommand,
  StrataError,
} from '@strata/core';
import type { Command, OptionSpec } from './commands/command.js';
import { FOREIGN_KEYS, JOURNAL_MODES, type JournalMode, SYNCHRONOUS, type Synchronous } from './connection-options.js';
import { UsageError } from './usage-error.js';

/** The drivers over a database file, which every command works with (backups, restores, readers). */
export const DRIVERS = ['better-sqlite3', 'sqljs'] as const;

/** The drivers of an engine reached by URL (libsql also opens a file), whose `--db` may be a server's URL. */
export const SERVER_DRIVERS = ['libsql', 'rqlite'] as const;

/** The drivers `--driver` accepts. */
export const DRIVER_NAMES = [...DRIVERS, ...SERVER_DRIVERS] as const;

/** A value of `--driver`. */
export type DriverName = (typeof DRIVER_NAMES)[number];

/** The options every command takes, as given: undefined where not given, so the config file or default applies. */
export interface GlobalOptions {
  /** The database `--db` names (the last one, when it is given several times). */
  readonly db: string | undefined;
  /** Every `--db` given, in order: several, a glob or a `@list` file make a run over many databases. */
  readonly databases: readonly string[];
  readonly dir: string | undefined;
  readonly driver: DriverName | undefined;
  readonly table: string | undefined;
  /** How long to wait for another process's lock on the database (`--busy-timeout`). */
  readonly busyTimeoutMs: number | undefined;
  /** How long a lock held from another host may go unrefreshed before it counts as abandoned (`--lock-stale`). */
  readonly lockStaleMs: number | undefined;
  /** Whether the connection enforces foreign keys (`--foreign-keys on|off`). */
  readonly foreignKeys: boolean | undefined;
  /** The journal mode a writing command sets (`--journal-mode`). */
  readonly journalMode: JournalMode | undefined;
  /** How often SQLite flushes to disk (`--synchronous`). */
  readonly synchronous: Synchronous | undefined;
  readonly json: boolean;
}

/** The global options, for the parser and for help. */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  db: {
    type: 'string',
    value: 'file',
    multiple: true,
    description:
      "database file (default: $STRATA_DB, the config file, or app.db in the strata data folder), or with --driver libsql a file: or http(s)/ws(s) URL, with --driver rqlite node URLs (http://host:4001[,http://host2:4001]); for migrate, status and validate also a glob ('tenants/*.db'), @FILE (a list of files, one a line), or given several times",
  },
  dir: {
    type: 'string',
    value: 'folder',
    description: 'migrations folder (default: $STRATA_DIR, the config file, or ./migrations)',
  },
  driver: { type: 'string', value: 'name', description: 'better-sqlite3, sqljs, libsql or rqlite (default: better-sqlite3)' },
  table: { type: 'string', value: 'name', description: 'history table (default: schema_migrations)' },
  'busy-timeout': {
    type: 'string',
    value: 'ms',
    description: `wait this long for another process using the database (default: ${DEFAULT_SETTINGS.busyTimeoutMs}; sqljs: ${LOCK_DEFAULTS.sqlJsTimeoutMs})`,
  },
  'lock-stale': {
    type: 'string',
    value: 'ms',
    description: `take over a lock held from another host after this long without a refresh (default: ${LOCK_DEFAULTS.staleMs})`,
  },
  'foreign-keys': { type: 'string', value: FOREIGN_KEYS.join('|'), description: 'enforce foreign keys or not' },
  'journal-mode': {
    type: 'string',
    value: 'mode',
    description: `set by writing commands: ${JOURNAL_MODES.join(', ')} (better-sqlite3)`,
  },
  synchronous: {
    type: 'string',
    value: 'level',
    description: `how often SQLite flushes to disk: ${SYNCHRONOUS.join(', ')} (better-sqlite3)`,
  },
  json: { type: 'boolean', description: 'print one JSON document on stdout, no colour or progress' },
  help: { type: 'boolean', short: 'h', description: 'show help (also: strata help <command>)' },
  version: { type: 'boolean', description: 'print the version of the CLI' },
};

/** What the command line asks for. */
export type Invocation =
  | { readonly kind: 'help'; readonly command: Command | undefined }
  | { readonly kind: 'version' }
  | {
      readonly kind: 'run';
      readonly command: Command;
      readonly global: GlobalOptions;
      readonly values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>;
      readonly args: readonly string[];
    };

/**
 * Reads the command line. Options may come before or after the command. A command written with colons is read by
 * core's command grammar (`parseCommand`, the one `runCommand` reads) and stands for its words (`commandWords`):
 * `rollback:002:cascade` is `rollback 002 --cascade`, `migrate:002` is `migrate --to 002`; for a command that grammar
 * does not know, `repair:002` is `repair 002`. Throws {@link UsageError} for anything it cannot act on.
 *
 * Two passes: the first, over every option any command knows, only finds the command; the second parses again with
 * the global options and that command's own, so an option of another command is refused.
 */
export function parseInvocation(argv: readonly string[], commands: readonly Command[]): Invocation {
  const everyOption = Object.assign({}, GLOBAL_OPTIONS, ...commands.map((c) => c.options)) as Record<string, OptionSpec>;
  const first = parse(argv, everyOption, () => guessCommand(argv, everyOption, commands));
  const [word, ...rest] = first.positionals;
  if (first.values.version === true) return { kind: 'version' };
  if (word === 'help') return { kind: 'help', command: rest[0] === undefined ? undefined : find(commands, rest[0]) };
  if (word === undefined) {
    if (first.values.help === true) return { kind: 'help', command: undefined };
    throw new UsageError('no command given');
  }
  const colon = word.indexOf(':');
  const command = find(commands, colon === -1 ? word : word.slice(0, colon));
  if (first.values.help === true) return { kind: 'help', command };

  const line = colon === -1 ? argv : spliced(argv, first.wordAt, colonWords(word, command));
  const { values, positionals } = parse(line, { ...GLOBAL_OPTIONS, ...command.options }, () => command.name);
  const args = positionals.slice(1).filter((a) => a !== '');
  checkArgs(command, args, values);
  const own = Object.fromEntries(Object.keys(command.options).map((name) => [name, values[name]]));
  return { kind: 'run', command, global: globalOptions(values), values: own, args };
}

/** The words a colon form stands for, the command's name first. */
function colonWords(word: string, command: Command): string[] {
  if (!(COMMAND_NAMES as readonly string[]).includes(command.name)) {
    return [command.name, ...word.slice(command.name.length + 1).split(':')];
  }
  try {
    return commandWords(parseCommand(word));
  } catch (error) {
    throw new UsageError(error instanceof StrataError ? error.message : String(error), command.name);
  }
}

/** `argv` with the word at `at` replaced by `words`; an option both spell is a usage error, as neither would win. */
function spliced(argv: readonly string[], at: number, words: readonly string[]): string[] {
  const [name = ''] = words;
  for (const option of words.filter((w) => w.startsWith('--'))) {
    if (argv.some((a, i) => i !== at && (a === option || a.startsWith(`${option}=`)))) {
      throw new UsageError(`${option} is given twice: ${argv[at]} already says it`, name);
    }
  }
  return [...argv.slice(0, at), ...words, ...argv.slice(at + 1)];
}

type Values = Record<string, string | boolean | readonly string[] | undefined>;

/**
 * Parses strictly; `command` names the command a mistake belongs to, when one can be told. `wordAt` is the index in
 * `argv` of the first positional argument, the command.
 */
function parse(argv: readonly string[], specs: Record<string, OptionSpec>, command: () => string | undefined) {
  try {
    const { values, positionals, tokens } = parseArgs({
      args: [...argv],
      options: parserOptions(specs),
      strict: true,
      allowPositionals: true,
      tokens: true,
    });
    const wordAt = tokens.find((token) => token.kind === 'positional')?.index ?? -1;
    return { values: values as Values, positionals, wordAt };
  } catch (error) {
    const name = command();
    throw new UsageError(usageMessage(error, argv, specs, name), name);
  }
}

function parserOptions(specs: Record<string, OptionSpec>): NonNullable<ParseArgsConfig['options']> {
  const options: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(specs)) {
    options[name] = {
      type: spec.type,
      ...(spec.short === undefined ? {} : { short: spec.short }),
      ...(spec.multiple === true ? { multiple: true } : {}),
    };
  }
  return options;
}

/** The command of a line that failed to parse, so the hint can point at that command's help. */
function guessCommand(
  argv: readonly string[],
  specs: Record<string, OptionSpec>,
  commands: readonly Command[],
): string | undefined {
  try {
    const [word = ''] = parseArgs({
      args: [...argv],
      options: parserOptions(specs),
      strict: false,
      allowPositionals: true,
    }).positionals;
    const name = word.split(':')[0];
    return commands.find((c) => c.name === name)?.name;
  } catch {
    return undefined;
  }
}

/**
 * A usage error of one line, for a line parseArgs refused: the option at fault is found again here, from the tokens
 * of a lenient parse, since parseArgs names it only in the words of its message.
 */
function usageMessage(
  error: unknown,
  argv: readonly string[],
  specs: Record<string, OptionSpec>,
  command: string | undefined,
): string {
  const fault = optionFault(argv, specs);
  if (fault?.kind === 'unknown') {
    return command === undefined ? `unknown option ${fault.option}` : `unknown option ${fault.option} for ${command}`;
  }
  if (fault?.kind === 'value') return `option ${fault.option} does not take a value`;
  if (fault?.kind === 'missing') {
    return `option ${fault.option} needs a value (write ${fault.option}=<value> for a value that starts with "-")`;
  }
  const message = error instanceof Error ? error.message : String(error);
  return message.split('\n')[0] ?? message;
}

/** The first option of `argv` that `specs` does not know, that takes no value but is given one, or that needs one. */
function optionFault(
  argv: readonly string[],
  specs: Record<string, OptionSpec>,
): { readonly kind: 'unknown' | 'value' | 'missing'; readonly option: string } | undefined {
  const { tokens } = parseArgs({
    args: [...argv],
    options: parserOptions(specs),
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const spec = specs[token.name];
    const option = token.rawName;
    if (spec === undefined) return { kind: 'unknown', option };
    if (spec.type === 'boolean' && token.inlineValue === true) return { kind: 'value', option };
    // A string option whose next word starts with "-" is refused too: that word may be an option given by mistake.
    if (spec.type === 'string' && (token.value === undefined || (token.inlineValue !== true && token.value.startsWith('-')))) {
      return { kind: 'missing', option };
    }
  }
  return undefined;
}

function find(commands: readonly Command[], name: string): Command {
  const command = commands.find((c) => c.name === name);
  if (command === undefined) throw new UsageError(`unknown command "${name}"`);
  return command;
}

function checkArgs(command: Command, args: readonly string[], values: Values): void {
  const missing = command.args.find((spec, i) => spec.required && args[i] === undefined);
  if (missing !== undefined) throw new UsageError(`${command.name} needs a ${missing.name} argument`, command.name);
  for (const [name, spec] of Object.entries(command.options)) {
    const value = values[name];
    const required = spec.required === true || (spec.requiredUnless !== undefined && values[spec.requiredUnless] === undefined);
    if (required && (typeof value !== 'string' || value === '')) {
      throw new UsageError(`${command.name} needs --${name} <${spec.value ?? 'value'}>`, command.name);
    }
    if (spec.format === 'version' && typeof value === 'string') checkVersion(command, `--${name}`, value);
    if (spec.choices !== undefined && typeof value === 'string' && !spec.choices.includes(value)) {
      const choices = spec.choices.length === 2 ? spec.choices.join(' or ') : `one of ${spec.choices.join(', ')}`;
      throw new UsageError(`--${name} must be ${choices}, not "${value}"`, command.name);
    }
  }
  command.args.forEach((spec, i) => {
    const arg = args[i];
    if (spec.format === 'version' && arg !== undefined) checkVersion(command, `the ${spec.name} argument`, arg);
  });
  const extra = args[command.args.length];
  if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}" for ${command.name}`, command.name);
}

/** A version as `--to` takes it: the digits a migration folder's name starts with. */
const VERSION = /^\d+$/;

/** A version given on the command line is digits; anything else is a mistake in the line, not an unknown version. */
function checkVersion(command: Command, what: string, value: string): void {
  if (VERSION.test(value)) return;
  const message = `${what} must be a migration version, the digits its folder name starts with (such as 003), not "${value}"`;
  throw new UsageError(message, command.name);
}

function globalOptions(values: Values): GlobalOptions {
  const text = (v: Values[string]) => (typeof v === 'string' && v !== '' ? v : undefined);
  const foreignKeys = oneOf('--foreign-keys', values['foreign-keys'], FOREIGN_KEYS);
  const databases = Array.isArray(values.db) ? values.db : typeof values.db === 'string' ? [values.db] : [];
  return {
    // Kept even when empty: `--db ''` is refused, not taken for the default database.
    db: databases.at(-1),
    databases,
    dir: text(values.dir),
    driver: oneOf('--driver', values.driver, DRIVER_NAMES),
    table: tableOption(text(values.table)),
    busyTimeoutMs: milliseconds('--busy-timeout', values['busy-timeout'], 0),
    lockStaleMs: milliseconds('--lock-stale', values['lock-stale'], MIN_LOCK_STALE_MS),
    foreignKeys: foreignKeys === undefined ? undefined : foreignKeys === 'on',
    journalMode: oneOf('--journal-mode', values['journal-mode'], JOURNAL_MODES),
    synchronous: oneOf('--synchronous', values.synchronous, SYNCHRONOUS),
    json: values.json === true,
  };
}

/** `value` when it is one of `allowed`; anything else given is a usage error naming them. */
function oneOf<T extends string>(option: string, value: Values[string], allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (allowed.includes(value as T)) return value as T;
  const choices = allowed.length === 2 ? allowed.join(' or ') : `one of ${allowed.join(', ')}`;
  throw new UsageError(`${option} must be ${choices}, not "${String(value)}"`);
}

/** The history table `--table` names; a name that is not a plain identifier is a usage error. */
function tableOption(table: string | undefined): string | undefined {
  try {
    if (table !== undefined) checkHistoryTableName(table);
    return table;
  } catch (error) {
    if (error instanceof StrataError) throw new UsageError(`--table: ${error.message}`);
    throw error;
  }
}

/** Below this a lock could be taken over between two refreshes of a busy holder on another host. */
export const MIN_LOCK_STALE_MS = 2000;

function milliseconds(option: string, value: Values[string], least: number): number | undefined {
  if (value === undefined) return undefined;
  const ms = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(ms) || ms < least) {
    throw new UsageError(`${option} must be a whole number of milliseconds of at least ${least}, not "${String(value)}"`);
  }
  return ms;
}
