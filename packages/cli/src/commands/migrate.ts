import { type MigrationManager, outOfOrderNote, type RunReport, VersionSet } from '@strata/core';
import { type Counts, dryRunLines, summaryLine } from '../render/steps.js';
import type { Command } from './command.js';

/** `migrate [--to V] [--dry-run] [--ignore-missing]`: apply pending migrations in order. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending migrations in order',
  usage: ['migrate [--to V] [--dry-run] [--ignore-missing]'],
  description: [
    'Applies the pending migrations in dependency order, each with its history row in one transaction, and prints a',
    'line per migration as it finishes. A failing migration is rolled back and stops the run; the ones before it stay',
    'applied. Nothing runs if an applied migration was edited (checksum mismatch) or the folder has problems.',
    'Nor does it run when the database records migrations the folder does not have (APPLIED_MISSING), as after a',
    'newer checkout migrated it; --ignore-missing runs anyway and leaves those history rows as they are.',
    'The database file is created when it does not exist.',
  ].join('\n'),
  options: {
    to: {
      type: 'string',
      value: 'V',
      format: 'version',
      description: 'stop after version V (apply it and what comes before it)',
    },
    'dry-run': { type: 'boolean', description: 'print the SQL that would run, in order, and change nothing' },
    'ignore-missing': { type: 'boolean', description: 'run even though applied migrations are missing from the folder' },
  },
  args: [],
  async run({ values, open }) {
    const dryRun = values['dry-run'] === true;
    const to = typeof values.to === 'string' ? values.to : undefined;
    const { manager } = await open({ write: !dryRun });
    const report = await manager.migrate({ to, dryRun, ignoreMissing: values['ignore-missing'] === true });
    const counts = report.steps.some((s) => s.status !== 'skipped') ? undefined : await countsOf(manager);
    return { data: report, exitCode: 0, render: (view) => view.out(runText(report, counts).join('\n')) };
  },
};

/** The text after the live step lines: the SQL of a dry run, then the summary. */
export function runText(report: RunReport, counts: Counts | undefined): string[] {
  const late =
    report.outOfOrder === undefined
      ? []
      : [`Note: ${outOfOrderNote(report.outOfOrder, report.dryRun ? 'to be applied' : 'applied')}.`];
  if (!report.dryRun) return [...late, summaryLine(report, counts)];
  // A dry run is printed as one SQL script, so even its summary is a comment.
  return [...dryRunLines(report), ...late.map((line) => `-- ${line}`), `-- ${summaryLine(report, counts)}`];
}

/** What `status` would count, without the checks that `status` makes and that this run has just passed. */
async function countsOf(manager: MigrationManager): Promise<Counts> {
  const applied = await manager.applied();
  const done = new VersionSet(applied.map((row) => row.version));
  return { applied: applied.length, pending: manager.migrations().filter((m) => !done.has(m.version)).length };
}
