import { RunError, type SerializedError, StrataError, summarize, ValidationError } from '@strata/core';
import type { Palette } from '../color.js';
import { UsageError } from '../usage-error.js';

/** The JSON code of an error that is not a {@link StrataError}: a bug, or the environment failing in a way we did not foresee. */
export const UNEXPECTED = 'UNEXPECTED_ERROR';
/** The JSON code of a usage error found once the command line was read, such as a `--db` that names a folder. */
export const USAGE = 'USAGE_ERROR';

/**
 * What `--json` prints for a failed command: `{ "error": { code, message, version?, file?, problems? } }`. The
 * problems are the error's own, or those of a validation error it wraps (a refused restore lists each version
 * whose checksum differs that way).
 */
export function errorDocument(error: unknown): { readonly error: SerializedError | { code: string; message: string } } {
  if (error instanceof UsageError) return { error: { code: USAGE, message: error.message } };
  if (!(error instanceof StrataError)) return { error: { code: UNEXPECTED, message: messageOf(error) } };
  const wrapped = problemsOf(error);
  if (error instanceof ValidationError || wrapped.length === 0) return { error: error.toJSON() };
  return { error: { ...error.toJSON(), problems: wrapped.map((p) => p.toJSON()) } };
}

/** The problems behind an error: its own, or those of the validation error that caused it. */
function problemsOf(error: StrataError): readonly StrataError[] {
  if (error instanceof ValidationError) return error.problems;
  return error.cause instanceof ValidationError ? error.cause.problems : [];
}

/**
 * The text of a failed command for stderr: `error CODE: message`, then where it happened, every problem of a
 * validation error, and what a stopped run had done. A stack trace only when `debug` is on, since users act on the
 * code and the message and a trace buries both.
 */
export function errorLines(error: unknown, c: Palette, debug: boolean): string[] {
  if (!(error instanceof StrataError)) {
    const lines = [`${c.red('error')}: ${messageOf(error)}`];
    if (debug) lines.push(stackOf(error));
    else lines.push(c.dim('  This was not expected; run again with DEBUG=strata to see the stack trace.'));
    return lines;
  }
  const problems = problemsOf(error);
  const many = problems.length > 1 ? problems : [];
  const [headline = error.message] =
    many.length > 0 && error instanceof ValidationError ? error.message.split('\n') : [error.message];
  const lines = [`${c.red(`error ${error.code}`)}: ${headline.replace(/:$/, '')}`, ...locationLines(error, '  ')];
  for (const problem of many) lines.push(`  ${c.red(problem.code)}: ${problem.message}`, ...locationLines(problem, '    '));
  if (error instanceof RunError) lines.push(...runLines(error));
  if (debug && error.cause !== undefined) lines.push(`cause: ${stackOf(error.cause)}`);
  return lines;
}

/**
 * The text of a warning for stderr, as {@link errorLines} prints an error: `warning CODE: message`, then where.
 *
 * @example
 * ```ts
 * view.err(warningLines(warning, view.errColor).join('\n'));
 * ```
 */
export function warningLines(warning: StrataError, c: Palette): string[] {
  return [`${c.yellow(`warning ${warning.code}`)}: ${warning.message}`, ...locationLines(warning, '  ')];
}

function locationLines(error: StrataError, indent: string): string[] {
  return [
    ...(error.version === undefined ? [] : [`${indent}version: ${error.version}`]),
    ...(error.file === undefined ? [] : [`${indent}file: ${error.file}`]),
  ];
}

/** What happened to the rest of a run that stopped: migrations before the failure stay applied. */
function runLines(error: RunError): string[] {
  const by = (status: string) => error.report.steps.filter((s) => s.status === status).map((s) => s.version);
  const done = by(error.report.direction === 'up' ? 'applied' : 'rolled-back');
  const notRun = by('not-run');
  const verb = error.report.direction === 'up' ? 'applied' : 'rolled back';
  return [
    ...(done.length === 0 ? [] : [`  ${verb} before the failure: ${summarize(done)}`]),
    ...(notRun.length === 0 ? [] : [`  not run: ${summarize(notRun)}`]),
  ];
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function stackOf(error: unknown): string {
  return error instanceof Error && error.stack !== undefined ? error.stack : String(error);
}
