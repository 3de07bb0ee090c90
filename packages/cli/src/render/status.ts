import { outOfOrderNote, type StatusReport } from '@strata/core';
import type { Palette } from '../color.js';
import { pendingPhaseLines } from './phases.js';

/**
 * The text of `status`, in the format of DESIGN.md: the applied migrations with the time each ran (UTC, as SQLite
 * records it), the pending ones in the order they would run, and, only when there is something to say, the drift
 * (each difference, or why it was not checked) and the problems.
 * An empty section says `(none)` so the two headings always appear, with `noneBecause` after it when there is a
 * reason to give (the database file does not exist yet). Each problem names its file.
 */
export function statusLines(report: StatusReport, c: Palette, noneBecause?: string): string[] {
  const lines = ['Migration Status:', '================', '', 'Applied migrations:'];
  for (const m of report.applied) lines.push(`  ${c.green('✓')} ${m.version} - ${m.name} (applied: ${m.appliedAt})`);
  if (report.applied.length === 0) lines.push(`  ${c.dim(noneBecause === undefined ? '(none)' : `(none: ${noneBecause})`)}`);
  lines.push('', 'Pending migrations:');
  for (const m of report.pending) lines.push(`  ${c.yellow('○')} ${m.version} - ${m.name}`);
  if (report.pending.length === 0) lines.push(`  ${c.dim('(none)')}`);
  if (report.outOfOrder !== undefined) lines.push('', `${c.yellow('Note')}: ${outOfOrderNote(report.outOfOrder, 'pending')}.`);
  lines.push(...pendingPhaseLines(report.pending, c));
  lines.push(...driftLines(report, c));
  if (report.problems.length > 0) {
    lines.push('', 'Problems:');
    for (const p of report.problems) {
      // Most messages name their file; for the others (a missing dependency names only the folder) it is added.
      const where = p.file === undefined || p.message.includes(p.file) ? '' : ` (${p.file})`;
      lines.push(`  ${c.red('✗')} ${p.code}: ${p.message}${where}`);
    }
  }
  return lines;
}

/**
 * The `Drift:` section: each way the database's schema differs from the one its applied migrations build, or why
 * that was not checked. Nothing when there is no drift, so the status of a sound database reads as it always did.
 */
function driftLines(report: Pick<StatusReport, 'drift' | 'driftSkipped'>, c: Palette): string[] {
  if (report.driftSkipped !== undefined) return ['', 'Drift:', `  ${c.dim(`(not checked: ${report.driftSkipped})`)}`];
  if (report.drift === undefined || report.drift.length === 0) return [];
  return ['', 'Drift:', ...report.drift.map((d) => `  ${c.red('✗')} ${d.message}`)];
}
