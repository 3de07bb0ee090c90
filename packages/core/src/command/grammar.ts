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

/**
 * A command string taken apart.
 *
 * @example
 * ```ts
 * const parsed: ParsedCommand = { name: 'rollback', version: '003', cascade: true, dryRun: false };
 * ```
 */
export type ParsedCommand =
  | { readonly name: 'migrate'; readonly to?: string; readonly dryRun: boolean }
  | { readonly name: 'rollback'; readonly version: string; readonly cascade: boolean; readonly dryRun: boolean }
  | { readonly name: 'status' | 'validate' | 'stats' };

/**
 * Every accepted form, as error messages spell them; `V` is a version number such as `003`.
 *
 * @example
 * ```ts
 * console.log(`commands: ${COMMAND_FORMS.join(', ')}`);
 * ```
 */
export const COMMAND_FORMS: readonly string[] = [
  'migrate[:V][:dry-run]',
  'rollback:V[:cascade][:dry-run]',
  'status',
  'validate',
  'stats',
];

const VERSION = /^\d+$/;

/**
 * Takes a command string apart. The grammar is the command's name, then `:`-separated arguments, in lower case with
 * no spaces:
 *
 * - `migrate`, `migrate:V` (apply up to and including V), each optionally followed by `:dry-run`
 * - `rollback:V`, optionally followed by `:cascade` and/or `:dry-run`, in either order
 * - `status`, `validate`, `stats`
 *
 * Throws a `StrataError` with code `INVALID_OPTION` for anything else.
 *
 * @example
 * ```ts
 * parseCommand('migrate:002:dry-run'); // { name: 'migrate', to: '002', dryRun: true }
 * parseCommand('rollback:001:cascade'); // { name: 'rollback', version: '001', cascade: true, dryRun: false }
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
      const to = args[0] !== undefined && VERSION.test(args[0]) ? args.shift() : undefined;
      const flags = flagsOf(command, name, args, ['dry-run']);
      return { name, ...(to === undefined ? {} : { to }), dryRun: flags.has('dry-run') };
    }
    case 'rollback': {
      const version = args.shift();
      if (version === undefined || !VERSION.test(version)) throw malformed(command, name);
      const flags = flagsOf(command, name, args, ['cascade', 'dry-run']);
      return { name, version, cascade: flags.has('cascade'), dryRun: flags.has('dry-run') };
    }
    default:
      throw new StrataError(
        'INVALID_OPTION',
        `unknown command ${JSON.stringify(command)}; expected one of ${COMMAND_FORMS.join(', ')}`,
      );
  }
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
  return new StrataError('INVALID_OPTION', `malformed command ${JSON.stringify(command)}; expected ${form}${version}`);
}
