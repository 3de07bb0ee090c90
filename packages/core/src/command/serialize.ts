import { messageOf, StrataError } from '../errors.js';
import type { StatusReport } from '../inspect/status.js';
import type { ValidationReport } from '../manager.js';
import type { CommandError, SerializedStatusReport, SerializedValidationReport } from './result.js';

/**
 * The plain form of a status report: problems become their `toJSON()`.
 *
 * @example
 * ```ts
 * postMessage(serializeStatus(await manager.status()));
 * ```
 */
export function serializeStatus(status: StatusReport): SerializedStatusReport {
  const { applied, pending, outOfOrder, drift, driftSkipped } = status;
  return {
    applied,
    pending,
    problems: status.problems.map((p) => p.toJSON()),
    ...(outOfOrder === undefined ? {} : { outOfOrder }),
    ...(drift === undefined ? {} : { drift }),
    ...(driftSkipped === undefined ? {} : { driftSkipped }),
  };
}

/**
 * The plain form of a validation report: problems become their `toJSON()`.
 *
 * @example
 * ```ts
 * postMessage(serializeValidation(await manager.validate()));
 * ```
 */
export function serializeValidation(report: ValidationReport): SerializedValidationReport {
  const { drift, driftSkipped, replaySkipped, notReplayed, roundTrips } = report;
  return {
    order: report.order,
    problems: report.problems.map((p) => p.toJSON()),
    warnings: report.warnings.map((w) => w.toJSON()),
    ...(drift === undefined ? {} : { drift }),
    ...(driftSkipped === undefined ? {} : { driftSkipped }),
    ...(replaySkipped === undefined ? {} : { replaySkipped }),
    ...(notReplayed === undefined ? {} : { notReplayed }),
    ...(roundTrips === undefined ? {} : { roundTrips }),
  };
}

// JavaScript raises these for bugs in the calling code, not for a database's state; reporting them as a
// DATABASE_ERROR would hide the bug, so they are rethrown.
const PROGRAMMING_ERRORS = [TypeError, ReferenceError, SyntaxError, RangeError];

/**
 * The plain form of a thrown value: a `StrataError`'s own `toJSON()`, or `DATABASE_ERROR` for what a driver threw.
 * Rethrows programming errors (`TypeError`, `ReferenceError`, `SyntaxError`, `RangeError`).
 *
 * @example
 * ```ts
 * serializeError(new Error('database is locked')); // { code: 'DATABASE_ERROR', message: 'database is locked' }
 * ```
 */
export function serializeError(error: unknown): CommandError {
  if (error instanceof StrataError) return error.toJSON();
  if (PROGRAMMING_ERRORS.some((type) => error instanceof type)) throw error;
  return { code: 'DATABASE_ERROR', message: messageOf(error) };
}
