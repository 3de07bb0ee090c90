import type { SerializedError } from '../errors.js';
import type { DatabaseStats } from '../inspect/stats.js';
import type { PendingMigration, StatusReport } from '../inspect/status.js';
import type { ValidationReport } from '../manager.js';
import type { RunReport } from '../run/report.js';
import type { AppliedMigration } from '../validate/history.js';
import type { CommandName } from './grammar.js';

/**
 * A {@link StatusReport} as plain data: its problems are {@link SerializedError}s.
 *
 * @example
 * ```ts
 * const status: SerializedStatusReport = { applied: [], pending: [{ version: '001', name: 'initial_schema' }], problems: [] };
 * ```
 */
export interface SerializedStatusReport {
  readonly applied: readonly AppliedMigration[];
  readonly pending: readonly PendingMigration[];
  readonly problems: readonly SerializedError[];
  readonly outOfOrder?: StatusReport['outOfOrder'];
  readonly drift?: StatusReport['drift'];
  readonly driftSkipped?: string;
}

/**
 * A {@link ValidationReport} as plain data: its problems are {@link SerializedError}s.
 *
 * @example
 * ```ts
 * const report: SerializedValidationReport = { order: [{ version: '001', name: 'initial_schema' }], problems: [], warnings: [] };
 * ```
 */
export interface SerializedValidationReport {
  readonly order: ValidationReport['order'];
  readonly problems: readonly SerializedError[];
  readonly warnings: readonly SerializedError[];
  readonly drift?: ValidationReport['drift'];
  readonly driftSkipped?: string;
  readonly replaySkipped?: string;
  readonly notReplayed?: ValidationReport['notReplayed'];
  readonly roundTrips?: ValidationReport['roundTrips'];
}

/**
 * What each command returns on success.
 *
 * @example
 * ```ts
 * const stats: CommandResults['stats'] = await manager.stats();
 * ```
 */
export interface CommandResults {
  readonly migrate: RunReport;
  readonly rollback: RunReport;
  readonly status: SerializedStatusReport;
  readonly validate: SerializedValidationReport;
  readonly stats: DatabaseStats;
}

/**
 * A failed command's error. A run that failed part-way carries its `report`: what was applied before the failure.
 *
 * @example
 * ```ts
 * if (!outcome.ok && outcome.error.code === 'DEPENDENTS_APPLIED') showCascadeButton(outcome.error.version);
 * ```
 */
export interface CommandError extends SerializedError {
  readonly report?: RunReport;
}

/**
 * A command that succeeded; `name` tells which, and so the type of `result`.
 *
 * @example
 * ```ts
 * if (outcome.ok && outcome.name === 'stats') console.log(outcome.result.health.status);
 * ```
 */
export type CommandSuccess<N extends CommandName = CommandName> = {
  readonly [K in N]: { readonly ok: true; readonly command: string; readonly name: K; readonly result: CommandResults[K] };
}[N];

/**
 * A command that failed, or was not understood (`INVALID_OPTION`).
 *
 * @example
 * ```ts
 * const failure: CommandFailure = { ok: false, command: 'jump', error: { code: 'INVALID_OPTION', message: 'unknown command "jump"; …' } };
 * ```
 */
export interface CommandFailure {
  readonly ok: false;
  readonly command: string;
  readonly error: CommandError;
}

/**
 * What `runCommand` resolves to: plain data, so it crosses IPC, `postMessage` and JSON unchanged.
 *
 * @example
 * ```ts
 * const outcome: CommandResult<'migrate'> = await runCommand(manager, 'migrate');
 * ```
 */
export type CommandResult<N extends CommandName = CommandName> = CommandSuccess<N> | CommandFailure;

/**
 * The command name a literal command string starts with, so `runCommand(manager, 'stats')` is typed with
 * {@link DatabaseStats}; a `string` known only at run time gives every name, and an unknown literal gives `never`.
 *
 * @example
 * ```ts
 * type Name = CommandNameOf<'rollback:003:cascade'>; // 'rollback'
 * ```
 */
export type CommandNameOf<C extends string> = string extends C
  ? CommandName
  : C extends `${infer N}:${string}`
    ? Extract<N, CommandName>
    : Extract<C, CommandName>;
