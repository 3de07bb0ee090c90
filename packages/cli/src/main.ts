import { existsSync } from 'node:fs';
import { DEFAULT_SETTINGS, RunError, StrataError } from '@strata/core';
import { GLOBAL_OPTIONS, type Invocation, parseInvocation } from './args.js';
import type { OpenOptions, Outcome } from './commands/command.js';
import { commands } from './commands/index.js';
import { openSession, type Session } from './context.js';
import { isDatabaseUrl, takesUrl } from './database-url.js';
import { type Io, processIo } from './io.js';
import { manyDatabases, refuseServerTargets, resolveTargets } from './many/targets.js';
import { errorDocument, errorLines } from './render/error.js';
import { commandHelp, globalHelp } from './render/help.js';
import { LiveRun } from './render/live-run.js';
import { shownPath } from './render/paths.js';
import { ProgressBar } from './render/progress-bar.js';
import { stepLine } from './render/steps.js';
import { threadTicker } from './render/ticker.js';
import { databaseLine, whereDocument } from './render/where.js';
import { defaultDatabaseFile, resolveSettings, type Settings } from './settings.js';
import { UsageError } from './usage-error.js';
import { cliVersion } from './version.js';
import { createView, type View } from './view.js';

const PROGRAM = 'strata';

/**
 * Runs the `strata` command line and returns the exit code: 0 success, 1 a migration, validation or database error,
 * 2 a usage error. Never throws for those; output goes to `io` only.
 *
 * @example
 * ```ts
 * process.exitCode = await main(process.argv.slice(2));
 * ```
 */
export async function main(argv: readonly string[], io: Io = processIo()): Promise<number> {
  let invocation: Invocation;
  try {
    invocation = parseInvocation(argv, commands);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    // The line could not be read, but a --json in it still asks for a document, as for every other error.
    const json = argv.includes('--json');
    if (json) createView(io, true).out(JSON.stringify(errorDocument(error), null, 2));
    return json ? 2 : usageFailure(error, createView(io, false));
  }
  if (invocation.kind === 'version') {
    io.stdout.write(`${cliVersion()}\n`);
    return 0;
  }
  if (invocation.kind === 'help') {
    const { command } = invocation;
    const text =
      command === undefined
        ? globalHelp(PROGRAM, commands, GLOBAL_OPTIONS, {
            db: await defaultDatabaseFile(),
            // Core's defaults are the ones the drivers apply when no setting is given.
            connection: DEFAULT_SETTINGS,
          })
        : commandHelp(PROGRAM, command);
    io.stdout.write(`${text}\n`);
    return 0;
  }
  return execute(invocation, io);
}

async function execute(invocation: Extract<Invocation, { kind: 'run' }>, io: Io): Promise<number> {
  const { command, global, values, args } = invocation;
  const view = createView(io, global.json);
  // On a terminal, a thread keeps the progress line ticking while one long statement holds this one.
  const terminal = !global.json && io.stderr === process.stderr && process.stderr.isTTY;
  const ticker = terminal ? threadTicker(process.stderr.fd) : undefined;
  // Live step lines and progress are text output; --json gets the report alone.
  const live = global.json ? undefined : new LiveRun(view, io.stderr, undefined, ticker);
  let session: Session | undefined;
  let settings: Settings | undefined;
  let many = false;
  // Every JSON document says which database and folder the command used, once they are known; one over many
  // databases names them itself.
  const where = (data: object): object =>
    settings === undefined || many ? data : { ...data, ...whereDocument(settings, session?.history) };
  const fail = (error: unknown): number => {
    live?.clear();
    // A usage error found once the command line is read, such as a --db that names a folder.
    const exitCode = error instanceof UsageError ? 2 : 1;
    if (global.json) {
      view.out(JSON.stringify(where(errorDocument(error)), null, 2));
      return exitCode;
    }
    if (error instanceof UsageError) return usageFailure(error, view);
    // The steps that finished were printed live; the failed one and those that did not run complete the picture.
    const unfinished =
      error instanceof RunError ? error.report.steps.filter((s) => s.status === 'failed' || s.status === 'not-run') : [];
    for (const step of unfinished) view.out(stepLine(step, view.color));
    view.err(errorLines(error, view.errColor, debugEnabled(io)).join('\n'));
    return 1;
  };

  let outcome: Outcome;
  try {
    many = await runsOverMany(invocation);
  } catch (error) {
    return fail(error);
  }
  if (many && command.many !== undefined) {
    const bar = !global.json && io.stderr.isTTY === true ? new ProgressBar(io.stderr) : undefined;
    try {
      // Before the settings, which would ask a server driver for the one --db it takes.
      refuseServerTargets(global.driver ?? 'better-sqlite3', global.databases);
      // The databases are the targets; STRATA_DB and the config file's db name one database, not these.
      settings = await resolveSettings({ ...global, db: undefined }, io);
      const targets = await resolveTargets(global.databases, io.cwd);
      refuseServerTargets(settings.driver, targets);
      if (bar !== undefined) view.err(view.errColor.dim(manyLine(settings, targets.length)));
      outcome = await command.many.run({ settings, values, targets, onProgress: (counts) => bar?.update(counts) });
    } catch (error) {
      bar?.clear();
      return fail(error);
    }
    bar?.clear();
    if (global.json) view.out(JSON.stringify(outcome.data, null, 2));
    else outcome.render(view);
    return outcome.exitCode;
  }
  try {
    settings = await resolveSettings(global, io);
    // On a terminal, first of all, which database and folder: stderr, so stdout stays the command's own output.
    if (!global.json && io.stderr.isTTY === true) view.err(databaseLine(settings, view.errColor));
    const ready = settings;
    const open = async ({ write, migrations, existing }: OpenOptions) => {
      const file = ready.databaseFile;
      if (existing !== undefined && !takesUrl(ready.driver) && !isDatabaseUrl(file) && !existsSync(file)) {
        throw new StrataError('DATABASE_ERROR', `database ${file} does not exist${existing}`, { file });
      }
      const onWait = (notice: string) => view.err(`${view.errColor.dim(notice)}…`);
      session ??= await openSession(ready, { write, migrations, onEvent: live?.onEvent, onWait });
      return { manager: session.manager, driver: session.driver, existed: session.existed, history: session.history };
    };
    outcome = await command.run({ values, args, settings, open });
  } catch (error) {
    await closeAfterFailure(session, view, io);
    return fail(error);
  }
  try {
    await session?.close();
  } catch (error) {
    return fail(error);
  }
  live?.clear();
  if (global.json) view.out(JSON.stringify(where(outcome.data as object), null, 2));
  else outcome.render(view);
  return outcome.exitCode;
}

/**
 * Whether the command runs over many databases: `--db` given several times, as a glob or as `@FILE`, or an option
 * only such a run takes (`--concurrency`, `--resume`, …). A command without such a run refuses the first three.
 */
async function runsOverMany({ command, global, values }: Extract<Invocation, { kind: 'run' }>): Promise<boolean> {
  const databases = await manyDatabases(global.databases);
  if (command.many === undefined) {
    if (databases) {
      throw new UsageError(
        `${command.name} works on one database; --db with a glob, @FILE or given several times is for migrate, status and validate`,
        command.name,
      );
    }
    return false;
  }
  return databases || command.many.options.some((name) => values[name] !== undefined && values[name] !== false);
}

/** The dim line on a terminal that says what a run over many databases works on. */
function manyLine(settings: Settings, count: number): string {
  const dir = shownPath(settings.cwd, settings.dir);
  return `${count} databases (${settings.driver}) · migrations ${dir === settings.dir ? dir : `./${dir}`}`;
}

/** Prints a usage error as one line and a pointer to help; returns its exit code, 2. */
function usageFailure(error: UsageError, view: View): number {
  const helpCommand = error.command === undefined ? `${PROGRAM} --help` : `${PROGRAM} ${error.command} --help`;
  view.err(`${view.errColor.red('error')}: ${error.message}`);
  view.err(`Run "${helpCommand}" for usage.`);
  return 2;
}

/** The error that stopped the command is the one to report; a failing close only shows up when debugging. */
async function closeAfterFailure(session: Session | undefined, view: View, io: Io): Promise<void> {
  try {
    await session?.close({ failed: true });
  } catch (error) {
    if (debugEnabled(io)) view.err(`while closing the database: ${String(error)}`);
  }
}

/** `DEBUG=strata` (or `*`, or a list naming strata) adds stack traces to error output. */
function debugEnabled(io: Io): boolean {
  return /(^|[\s,])(strata[^\s,]*|\*)($|[\s,])/.test(io.env.DEBUG ?? '');
}
