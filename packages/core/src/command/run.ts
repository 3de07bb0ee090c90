import type { MigrationManager } from '../manager.js';
import { type ParsedCommand, parseCommand } from './grammar.js';
import type { CommandNameOf, CommandResult, CommandSuccess } from './result.js';
import { serializeError, serializeStatus, serializeValidation } from './serialize.js';

/**
 * What {@link runCommand} needs of a manager: a {@link MigrationManager}, or a stand-in with the same methods.
 *
 * @example
 * ```ts
 * const target: CommandTarget = new MigrationManager({ driver, migrations });
 * ```
 */
export type CommandTarget = Pick<MigrationManager, 'migrate' | 'rollback' | 'status' | 'validate' | 'stats'>;

/**
 * Runs one command given as a string, for an application's front end: an Electron or Tauri IPC handler, or a worker's
 * message handler, becomes one line. See {@link parseCommand} for the grammar (`migrate`, `migrate:V`,
 * `migrate:dry-run`, `rollback:V:cascade`, `rollback:last`, `rollback:steps:N`, `rollback:to:V`, `status`, `validate`, `stats`, …).
 *
 * It resolves, rather than throws, with `{ ok: true, name, result }` or `{ ok: false, error }`, where `error` is a
 * `StrataError`'s `toJSON()` (code `INVALID_OPTION` for a command it does not understand, `DATABASE_ERROR` for what a
 * driver threw). Both are plain data, so they survive `postMessage` (structured clone drops class prototypes) and
 * JSON. Only programming errors (`TypeError` and the like) are thrown.
 *
 * @example
 * ```ts
 * ipcMain.handle('db', (_event, command: string) => runCommand(manager, command));
 *
 * const outcome = await runCommand(manager, 'stats');
 * if (outcome.ok) console.log(outcome.result.health.status); // typed as DatabaseStats
 * else console.error(outcome.error.code, outcome.error.message);
 * ```
 */
export async function runCommand<C extends string>(manager: CommandTarget, command: C): Promise<CommandResult<CommandNameOf<C>>> {
  // An IPC channel or a worker delivers whatever the other side sent, whatever the type says.
  const text: string = typeof command === 'string' ? command : String(command);
  try {
    const success = await execute(manager, parseCommand(text), text);
    // The name the string starts with is the name it parsed to, which is what CommandNameOf<C> computes.
    return success as CommandResult<CommandNameOf<C>>;
  } catch (error) {
    return { ok: false, command: text, error: serializeError(error) };
  }
}

async function execute(manager: CommandTarget, parsed: ParsedCommand, command: string): Promise<CommandSuccess> {
  switch (parsed.name) {
    case 'migrate': {
      const { dryRun, ignoreMissing } = parsed;
      const options = { dryRun, ignoreMissing, ...(parsed.to === undefined ? {} : { to: parsed.to }) };
      return { ok: true, command, name: parsed.name, result: await manager.migrate(options) };
    }
    case 'rollback': {
      const options = { cascade: parsed.cascade, dryRun: parsed.dryRun };
      return { ok: true, command, name: parsed.name, result: await manager.rollback(parsed.target, options) };
    }
    case 'status':
      return { ok: true, command, name: parsed.name, result: serializeStatus(await manager.status()) };
    case 'validate':
      return { ok: true, command, name: parsed.name, result: serializeValidation(await manager.validate()) };
    case 'stats':
      return { ok: true, command, name: parsed.name, result: await manager.stats() };
  }
}
