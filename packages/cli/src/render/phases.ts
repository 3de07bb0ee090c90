import type { MigrationPhase, PendingMigration } from '@strata/core';
import type { Palette } from '../color.js';

/** A migration with its phase, as status (pending ones) and validate (all) report it. */
type Phased = Pick<MigrationPhase, 'version' | 'name' | 'phase' | 'changes'> & Pick<MigrationPhase, 'declared'>;

/**
 * One migration's phase and, under it, what it changes: `  005 - drop_full_name: contract`, then each change, the
 * breaking ones marked. A migration changing only rows says so.
 */
export function phaseEntryLines(p: Phased, c: Palette): string[] {
  const declared = p.declared === undefined ? '' : c.dim(p.declared === p.phase ? ' (declared)' : ` (declared ${p.declared})`);
  const phase = p.phase === 'contract' ? c.yellow('contract') : c.green('expand');
  const lines = [`  ${p.version} - ${p.name}: ${phase}${declared}`];
  if (p.changes.length === 0) lines.push(`      ${c.dim('no change to the schema')}`);
  for (const change of p.changes) {
    lines.push(change.phase === 'contract' ? `      ${c.red('✗')} ${change.message}` : `      ${c.dim(change.message)}`);
  }
  return lines;
}

/** The `Phases:` section of status: each pending migration's phase, when they were classified. */
export function pendingPhaseLines(pending: readonly PendingMigration[], c: Palette): string[] {
  const phased = pending.flatMap((p) =>
    p.phase === undefined ? [] : [{ ...p, phase: p.phase, changes: p.changes ?? [] } satisfies Phased],
  );
  if (phased.length === 0) return [];
  const first = phased.findIndex((p) => p.phase === 'contract');
  const now = first < 0 ? phased.length : first;
  const summary =
    first < 0
      ? 'migrate --phase expand applies them all'
      : `migrate --phase expand applies ${now === 0 ? 'none' : now === 1 ? 'the first' : `the first ${now}`}; the rest wait for --phase contract`;
  return ['', `Phases (${summary}):`, ...phased.flatMap((p) => phaseEntryLines(p, c))];
}

/** After a run in the expand phase: what waits for the contract phase, the first one with its breaking changes. */
export function waitingLines(waiting: readonly MigrationPhase[], c: Palette): string[] {
  if (waiting.length === 0) return [];
  return [
    `Waiting for the contract phase (run migrate --phase contract once the previous version is gone):`,
    ...waiting.flatMap((p) => phaseEntryLines(p, c)),
  ];
}
