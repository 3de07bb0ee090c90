import type { BaselineReport, ForgetReport, RepairReport } from '@strata/core';
import type { Palette } from '../color.js';
import { plural } from './steps.js';

const AGAIN = 'Run again with --yes to apply.';

/**
 * The text of `repair`: a line per checksum re-recorded (or, in a dry run, to be), a line per version whose duplicate
 * rows are removed (or to be), a line per edited migration left alone, then a summary that says whether anything
 * was written.
 */
export function repairLines(report: RepairReport, version: string | undefined, c: Palette): string[] {
  const mark = report.dryRun ? c.yellow('○') : c.green('✓');
  const lines = report.changes.map(
    (change) =>
      `  ${mark} ${change.version} ${change.name}  checksum ${change.oldChecksum} → ${change.newChecksum}  ${c.dim(`(${reasonOf(change.difference)})`)}`,
  );
  for (const { kept, removed } of report.duplicates) {
    const rows = removed.map((row) => `${row.version} applied ${row.appliedAt}`).join(', ');
    lines.push(
      `  ${mark} ${kept.version} ${kept.name}  ${report.dryRun ? 'would remove' : 'removed'} duplicate ${removed.length === 1 ? 'row' : 'rows'} ${rows}  ${c.dim(`(kept: ${kept.version} applied ${kept.appliedAt})`)}`,
    );
  }
  for (const edited of report.skipped) {
    lines.push(
      `  ${c.dim('·')} ${edited.version} ${edited.name}  ${c.dim(`left alone: up.sql was edited (recorded ${edited.oldChecksum}, now ${edited.newChecksum}); if that was intended, run "strata repair ${edited.version}"`)}`,
    );
  }
  const removedRows = report.duplicates.reduce((sum, d) => sum + d.removed.length, 0);
  const checksums = plural(report.changes.length, 'checksum');
  const rows = plural(removedRows, 'duplicate row');
  if (report.changes.length === 0 && removedRows === 0) {
    lines.push(
      version === undefined
        ? `Nothing to repair: no recorded checksum differs only in line endings, and no version is recorded twice.`
        : `Nothing to repair: the recorded checksum of ${version} matches its up.sql.`,
    );
  } else if (report.dryRun) {
    const what = [
      ...(report.changes.length > 0 ? [`${checksums} would be re-recorded`] : []),
      ...(removedRows > 0 ? [`${rows} would be removed`] : []),
    ];
    lines.push(`Dry run: ${what.join(' and ')}; nothing was changed. ${AGAIN}`);
  } else {
    const what = [
      ...(report.changes.length > 0 ? [`re-recorded ${checksums}`] : []),
      ...(removedRows > 0 ? [`removed ${rows}`] : []),
    ].join(' and ');
    lines.push(`${what.charAt(0).toUpperCase()}${what.slice(1)}.`);
  }
  return lines;
}

/** The text of `baseline`: a line per migration marked applied (or to be), and per one already applied, then a summary. */
export function baselineLines(report: BaselineReport, c: Palette): string[] {
  const lines = report.marked.map((m) =>
    report.dryRun
      ? `  ${c.yellow('○')} ${m.version} ${m.name}  ${c.dim('would be marked applied')}`
      : `  ${c.green('✓')} ${m.version} ${m.name}  ${c.dim('marked applied')}`,
  );
  for (const m of report.alreadyApplied) lines.push(`  ${c.dim('-')} ${m.version} ${m.name}  ${c.dim('already applied')}`);
  const count = plural(report.marked.length, 'migration');
  if (report.marked.length === 0) {
    lines.push(`Nothing to baseline: ${report.version} and what it depends on are already applied.`);
  } else if (report.dryRun) {
    lines.push(`Dry run: ${count} would be marked applied without running; nothing was changed. ${AGAIN}`);
  } else {
    lines.push(`Marked ${count} applied without running ${report.marked.length === 1 ? 'it' : 'them'}.`);
  }
  return lines;
}

/** The text of `forget`: a line per history row removed (or to be), then a summary. */
export function forgetLines(report: ForgetReport, c: Palette): string[] {
  const lines = report.rows.map((row) =>
    report.dryRun
      ? `  ${c.yellow('○')} ${row.version} ${row.name}  ${c.dim(`applied ${row.appliedAt}; its row would be removed`)}`
      : `  ${c.green('✓')} ${row.version} ${row.name}  ${c.dim(`applied ${row.appliedAt}; its row was removed`)}`,
  );
  const rows = plural(report.rows.length, 'history row');
  lines.push(
    report.dryRun
      ? `Dry run: ${rows} of ${report.version} would be removed; the schema is left as it is; nothing was changed. ${AGAIN}`
      : `Forgot ${report.version}: removed ${rows}; the schema is left as it is.`,
  );
  return lines;
}

function reasonOf(difference: RepairReport['changes'][number]['difference']): string {
  return difference === 'line-endings' ? 'line endings or byte-order mark only' : 'up.sql edited';
}
