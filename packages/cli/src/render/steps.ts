import type { RunReport, StepReport } from '@strata/core';
import type { Palette } from '../color.js';

/** `12 ms`, `1.4 s`: durations as a person reads them. */
export function formatDuration(ms: number): string {
  if (ms < 1) return '<1 ms';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(1)} s`;
}

/** `1 migration`, `3 migrations`. */
export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/** One migration's line in a run, as it finishes: `  ✓ 001 initial_schema  (12 ms)`. */
export function stepLine(step: StepReport, c: Palette): string {
  const label = `${step.version} ${step.name}`;
  const took = step.durationMs === undefined ? '' : `  ${c.dim(`(${formatDuration(step.durationMs)})`)}`;
  switch (step.status) {
    case 'applied':
    case 'rolled-back':
      return `  ${c.green('✓')} ${label}${took}`;
    case 'skipped':
      return `  ${c.yellow('-')} ${label}  ${c.dim('(skipped: another process got there first)')}`;
    case 'failed':
      return `  ${c.red('✗')} ${label}  ${c.red('failed')}`;
    case 'not-run':
      return `  ${c.dim('·')} ${label}  ${c.dim('not run')}`;
    case 'planned':
      return `  ${c.yellow('○')} ${label}  ${c.dim('(dry run)')}`;
  }
}

/** Applied, pending: the counts `Nothing to migrate` reports. */
export interface Counts {
  readonly applied: number;
  readonly pending: number;
}

/**
 * The closing line of a run. The step lines themselves are printed live as each migration finishes; `counts` is
 * only needed when nothing ran.
 */
export function summaryLine(report: RunReport, counts: Counts | undefined): string {
  const done = report.steps.filter((s) => s.status === 'applied' || s.status === 'rolled-back');
  const skipped = report.steps.filter((s) => s.status === 'skipped').length;
  if (report.steps.length === 0 || (done.length === 0 && !report.dryRun)) {
    const tally = counts === undefined ? '' : `: ${counts.applied} applied, ${counts.pending} pending`;
    return `${report.direction === 'up' ? 'Nothing to migrate' : 'Nothing to roll back'}${tally}.`;
  }
  const verb = report.direction === 'up' ? 'applied' : 'rolled back';
  if (report.dryRun) return `Dry run: ${plural(report.steps.length, 'migration')} would be ${verb}; nothing was changed.`;
  const total = done.reduce((sum, s) => sum + (s.durationMs ?? 0), 0);
  const extra = skipped > 0 ? ` (${skipped} skipped: another process applied ${skipped === 1 ? 'it' : 'them'})` : '';
  return `${verb === 'applied' ? 'Applied' : 'Rolled back'} ${plural(done.length, 'migration')} in ${formatDuration(total)}${extra}.`;
}

/**
 * A dry run as one SQL script: each migration's SQL under a `-- 001_initial_schema/up.sql` header, in run order, so
 * the output can be read or piped into `sqlite3` as it is.
 */
export function dryRunLines(report: RunReport): string[] {
  const file = report.direction === 'up' ? 'up.sql' : 'down.sql';
  const lines: string[] = [];
  for (const step of report.steps) {
    lines.push(`-- ${step.folder}/${file}`, (step.sql ?? '').trimEnd(), '');
  }
  return lines;
}
