import { StrataError, ValidationError } from '@strata/core';
import { StartupError } from '@strata/core/node';

/**
 * What went wrong, on one line for stderr: the error's code and message, the backup when a migration failed after one
 * was taken, and what to do when the port is taken.
 *
 * @example
 * ```ts
 * startService(options).catch((error: unknown) => {
 *   console.error(`server not started: ${describeFailure(error)}`); // … MIGRATION_FAILED: migration 004 (broken) failed at …
 *   process.exitCode = 1;
 * });
 * ```
 */
export function describeFailure(error: unknown): string {
  if (error instanceof StartupError) {
    // Its message quotes the failing statement on the lines between the failure and the backup's sentence.
    return `${error.code}: ${firstLine(error.message)}; the database as it was before this run is in ${error.backupFile}`;
  }
  if (error instanceof ValidationError && error.problems.length > 1) {
    return `${error.code}: ${error.problems.map((problem) => `${problem.code}: ${firstLine(problem.message)}`).join('; ')}`;
  }
  if (error instanceof StrataError) return `${error.code}: ${firstLine(error.message)}`;
  const { code, address, port } = (error ?? {}) as { code?: unknown; address?: unknown; port?: unknown };
  if (code === 'EADDRINUSE') {
    return `port ${String(port)} on ${String(address)} is in use by another program; stop it, or set PORT to another port (0 picks a free one)`;
  }
  const message = error instanceof Error ? firstLine(error.message) : String(error);
  return typeof code === 'string' ? `${code}: ${message}` : message;
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}
