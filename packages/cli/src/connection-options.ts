import type { ConnectionSettings } from '@strata/core';

/** A journal mode `--journal-mode` and the config file's `journalMode` accept. */
export type JournalMode = NonNullable<ConnectionSettings['journalMode']>;
/** A level `--synchronous` and the config file's `synchronous` accept. */
export type Synchronous = NonNullable<ConnectionSettings['synchronous']>;

/** SQLite's journal modes, as core's connection settings name them. */
export const JOURNAL_MODES: readonly JournalMode[] = ['wal', 'delete', 'truncate', 'persist', 'memory', 'off'];
/** SQLite's sync levels, as core's connection settings name them. */
export const SYNCHRONOUS: readonly Synchronous[] = ['off', 'normal', 'full', 'extra'];
/** The values of `--foreign-keys`. */
export const FOREIGN_KEYS = ['on', 'off'] as const;

/**
 * The connection settings a command was given, from the command line, the environment or the config file; those not
 * given are left to the driver, whose defaults are core's `DEFAULT_SETTINGS`.
 *
 * @example
 * ```ts
 * const connection: ConnectionOptions = { foreignKeys: false, journalMode: 'delete' };
 * ```
 */
export type ConnectionOptions = Pick<ConnectionSettings, 'foreignKeys' | 'journalMode' | 'synchronous'>;

/**
 * The help line on the connection defaults, read from core's `DEFAULT_SETTINGS` so it can never disagree with them.
 *
 * @example
 * ```ts
 * connectionDefaultsLine(DEFAULT_SETTINGS); // 'Connection defaults: --journal-mode wal, --foreign-keys on, ...'
 * ```
 */
export function connectionDefaultsLine(defaults: ConnectionSettings): string {
  const foreignKeys = defaults.foreignKeys === undefined ? undefined : defaults.foreignKeys ? 'on' : 'off';
  const parts = [
    ['--journal-mode', defaults.journalMode],
    ['--foreign-keys', foreignKeys],
    ['--synchronous', defaults.synchronous],
  ].filter(([, value]) => value !== undefined);
  return `Connection defaults: ${parts.map(([name, value]) => `${name} ${value}`).join(', ')}; sqljs keeps its file in rollback-journal mode.`;
}
