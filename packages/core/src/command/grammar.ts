import { StrataError } from '../errors.js';

/**
 * The commands {@link parseCommand} knows.
 *
 * @example
 * ```ts
 * const name: CommandName = parseCommand('rollback:003').name; // 'rollback'
 * ```
 */
export type CommandName = 'migrate' | 'rollback' | 'status' | 'validate' | 'stats';

/** Every {@link CommandName}, for a caller that must tell whether a word names one. */
export const COMMAND_NAMES: readonly CommandName[] = ['migrate', 'rollback', 'status', 'validate', 'stats'];

/**
 * What a parsed rollback rolls back: one version, the `steps` migrations applied last, or everything applied after
 * version `to`. The same shapes `MigrationManager.rollback` takes.
 *
 * @example
 * ```ts
 * const last: ParsedRollbackTarget = parseCommand('rollback:last').target; // { steps: 1 }
 * ```
 */
export type ParsedRollbackTarget = { readonly version: string } | { readonly steps: number } | { readonly to: string };

/**
 * A command string taken apart.
 *
 * @example
 * ```ts
 * const parsed: ParsedCommand = { name: 'rollback', target: { version: '003' }, cascade: true, dryRun: false };
 * ```
 */
export type ParsedCommand =
  | { readonly name: 'migrate'; readonly to?: string; readonly dryRun: boolean; readonly ignoreMissing: boolean }
  | {
      readonly name: 'rollback';
      readonly target: ParsedRollbackTarget;
      readonly cascade: boolean;
      readonly dryRun: boolean;
    }
  | { readonly name: 'status' | 'validate' | 'stats' };

/**
 * Every accepted form, as error messages spell them; `V` is a version number such as `003`, `N` a count.
 *
 * @example
 * ```ts
 * console.log(`commands: ${COMMAND_FORMS.join(', ')}`);
 * ```
 */
export const COMMAND_FORMS: readonly string[] = [
  'migrate[:V|:to:V][:dry-run][:ignore-missing]',
  'rollback(:V|:last|:steps:N|:to:V)[:cascade][:dry-run]',
  'status',
  'validate',
  'stats',
];

const VERSION = /^\d+$/;
const COUNT = /^[1-9]\d*$/;

/**
 * Takes a command string apart. The grammar is the command's name, then `:`-separated arguments, in lower case with
 * no spaces; each argument is one option of the CLI command of the same name (see {@link commandWords}):
 *
 * - `migrate`, `migrate:V` or `migrate:to:V` (apply up to and including V), then any of `:dry-run`, `:ignore-missing`
 * - `rollback:V` (one version), `rollback:last` (the migration applied last), `rollback:steps:N` (the N applied last)
 *   or `rollback:to:V` (everything applied after V), then any of `:cascade`, `:dry-run`
 * - `status`, `validate`, `stats`
 *
 * Flags may come in any order, each once. Throws a `StrataError` with code `INVALID_OPTION` for anything else.
 *
 * @example
 * ```ts
 * parseCommand('migrate:002:dry-run'); // { name: 'migrate', to: '002', dryRun: true, ignoreMissing: false }
 * parseCommand('rollback:steps:3'); // { name: 'rollback', target: { steps: 3 }, cascade: false, dryRun: false }
 * ```
 */
export function parseCommand(command: string): ParsedCommand {
  const [name = '', ...args] = command.split(':');
  switch (name) {
    case 'status':
    case 'validate':
    case 'stats':
      if (args.length > 0) throw malformed(command, name);
      return { name };
    case 'migrate': {
      const to = takeVersion(args, command, name);
      const flags = flagsOf(command, name, args, ['dry-run', 'ignore-missing']);
      return {
        name,
        ...(to === undefined ? {} : { to }),
        dryRun: flags.has('dry-run'),
        ignoreMissing: flags.has('ignore-missing'),
      };
    }
    case 'rollback': {
      const target = rollbackTarget(args, command);
      const flags = flagsOf(command, name, args, ['cascade', 'dry-run']);
      return { name, target, cascade: flags.has('cascade'), dryRun: flags.has('dry-run') };
    }
    default:
      throw new StrataError(
        'INVALID_OPTION',
        `unknown command ${JSON.stringify(command)}; expected one of ${COMMAND_FORMS.join(', ')}`,
      );
  }
}

/**
 * The same command in the words of the CLI: its name, then options and arguments, so `rollback:steps:3:dry-run` is
 * `rollback --steps 3 --dry-run`. The CLI reads a colon form through {@link parseCommand} and this, so both spell
 * one grammar.
 *
 * @example
 * ```ts
 * commandWords(parseCommand('migrate:002')); // ['migrate', '--to', '002']
 * commandWords(parseCommand('rollback:001:cascade')); // ['rollback', '001', '--cascade']
 * ```
 */
export function commandWords(parsed: ParsedCommand): string[] {
  const flag = (on: boolean, word: string) => (on ? [word] : []);
  switch (parsed.name) {
    case 'migrate':
      return [
        'migrate',
        ...(parsed.to === undefined ? [] : ['--to', parsed.to]),
        ...flag(parsed.dryRun, '--dry-run'),
        ...flag(parsed.ignoreMissing, '--ignore-missing'),
      ];
    case 'rollback': {
      const { target } = parsed;
      const what =
        'version' in target ? [target.version] : 'to' in target ? ['--to', target.to] : ['--steps', String(target.steps)];
      return ['rollback', ...what, ...flag(parsed.cascade, '--cascade'), ...flag(parsed.dryRun, '--dry-run')];
    }
    default:
      return [parsed.name];
  }
}

/** Takes `V` or `to:V` off the front of `args`, when there. */
function takeVersion(args: string[], command: string, name: CommandName): string | undefined {
  if (args[0] === 'to') {
    args.shift();
    const version = args.shift();
    if (version === undefined || !VERSION.test(version)) throw malformed(command, name);
    return version;
  }
  return args[0] !== undefined && VERSION.test(args[0]) ? args.shift() : undefined;
}

function rollbackTarget(args: string[], command: string): ParsedRollbackTarget {
  const first = args.shift();
  if (first === 'last') return { steps: 1 };
  if (first === 'steps') {
    const count = args.shift();
    // A count past 2^53 would be read as another number, and named so in every message after.
    if (count === undefined || !COUNT.test(count) || !Number.isSafeInteger(Number(count))) {
      throw malformed(command, 'rollback');
    }
    return { steps: Number(count) };
  }
  if (first === 'to') {
    args.unshift(first);
    const to = takeVersion(args, command, 'rollback');
    if (to === undefined) throw malformed(command, 'rollback');
    return { to };
  }
  if (first === undefined || !VERSION.test(first)) throw malformed(command, 'rollback');
  return { version: first };
}

/** The flags in `args`, each of which must be one of `allowed` and appear once. */
function flagsOf(command: string, name: CommandName, args: readonly string[], allowed: readonly string[]): Set<string> {
  const flags = new Set(args);
  if (flags.size !== args.length || args.some((arg) => !allowed.includes(arg))) throw malformed(command, name);
  return flags;
}

function malformed(command: string, name: CommandName): StrataError {
  const form = COMMAND_FORMS.find((f) => f.startsWith(name)) ?? name;
  const version = form.includes(':V') ? ', where V is a version number such as 003' : '';
  const count = form.includes(':N') ? ' and N a count of at least 1' : '';
  return new StrataError('INVALID_OPTION', `malformed command ${JSON.stringify(command)}; expected ${form}${version}${count}`);
}
