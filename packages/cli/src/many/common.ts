import type { MigrationSet } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import type { ManyOptions } from '@strata/core/node/many';
import type { ManyInput } from '../commands/command.js';
import { driverFactory } from '../drivers.js';
import { UsageError } from '../usage-error.js';

/** The API of runs over many databases. */
type ManyApi = typeof import('@strata/core/node/many');

/**
 * The options of a run over many databases that every command shares, with the migrations folder read once here: the
 * set goes to every database, and no thread reads the folder again.
 */
export async function manyBase<R>(
  input: ManyInput,
  command: string,
): Promise<{ readonly set: MigrationSet; readonly options: Omit<ManyOptions<R>, 'targets'>; readonly api: ManyApi }> {
  const { settings, values, onProgress } = input;
  // Loaded only for a run over many databases; its module is also what each worker thread runs.
  const api = await import('@strata/core/node/many');
  const set = await loadMigrationsFolder(settings.dir);
  const driver = await driverFactory(settings.driver);
  const concurrency = count(values.concurrency, command);
  return {
    set,
    api,
    options: {
      migrations: set,
      driver,
      ...(settings.table === undefined ? {} : { table: settings.table }),
      settings: { ...settings.lock, ...settings.connection },
      ...(concurrency === undefined ? {} : { concurrency }),
      onProgress,
    },
  };
}

/** `--concurrency`: a whole number of at least 1; anything else is a usage error. */
function count(value: unknown, command: string): number | undefined {
  if (value === undefined) return undefined;
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < 1) {
    throw new UsageError(`--concurrency must be a whole number of at least 1, not "${String(value)}"`, command);
  }
  return n;
}

/** Options a command has that a run over many databases does not take: a usage error when one is given. */
export function refuseOptions(values: ManyInput['values'], names: readonly string[], command: string): void {
  const given = names.find((name) => values[name] !== undefined && values[name] !== false);
  if (given !== undefined) {
    throw new UsageError(`--${given} is for one database; a run over many databases does not take it`, command);
  }
}

/** The targets, which a run over many needs at least one of. */
export function needTargets(targets: readonly string[], command: string): readonly string[] {
  if (targets.length === 0)
    throw new UsageError(`${command} over many databases needs --db (a glob, @FILE, or several)`, command);
  return targets;
}
