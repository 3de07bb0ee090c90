import { type MigrationManager, outOfOrderNote, type RunReport, VersionSet } from '@strata/core';
import { migrateManyOptions } from '../many/options.js';
import { waitingLines } from '../render/phases.js';
import { type Counts, dryRunLines, summaryLine } from '../render/steps.js';
import type { Command } from './command.js';

/** `migrate [--to V] [--phase expand|contract] [--dry-run] [--ignore-missing]`: apply pending migrations in order. */
export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'apply pending migrations in order',
  usage: [
    'migrate [--to V] [--phase expand|contract] [--dry-run] [--ignore-missing]',
    "migrate --db 'tenants/*.db' [--concurrency N] [--fail-fast] [--report F]",
    'migrate --resume F [--report F]',
  ],
  description: [
    'Applies the pending migrations in dependency order, each with its history row in one transaction, and prints a',
    'line per migration as it finishes. A failing migration is rolled back and stops the run; the ones before it stay',
    'applied. Nothing runs if an applied migration was edited (checksum mismatch) or the folder has problems.',
    'Nor does it run when the database records migrations the folder does not have (APPLIED_MISSING), as after a',
    'newer checkout migrated it; --ignore-missing runs anyway and leaves those history rows as they are.',
    'The database file is created when it does not exist.',
    '',
    'In a blue-green deployment, where the previous version of the application keeps using the database while the',
    'new one starts, --phase expand applies the pending migrations up to, not including, the first one that would',
    'break the previous version (a contract migration: a column or table removed or renamed, a constraint added, a',
    'NOT NULL column without a default, …, or one whose meta.yaml says phase: contract) and lists what waits, with',
    'why. Once the previous version is gone, --phase contract applies the rest. Each pending migration is classified',
    'by replaying the folder on an empty database in memory and comparing the schema before and after it. A migration',
    'whose meta.yaml says phase: expand but that would break the previous version stops the run (PHASE_MISMATCH).',
    '',
    "Many databases (a database per tenant): --db may be a glob (quote it: --db 'tenants/*.db'; one that matches no",
    'file is a usage error), @FILE (a list of database files, one a line, relative to the list; blank lines and lines',
    'starting with # are skipped), or given several times. The folder is read and checked once; then each database',
    'is migrated exactly as one is (each migration in its own transaction), --concurrency N at once in worker threads',
    '(default: the number of cores; 1 runs them one after the other). A database that fails, or cannot be opened,',
    'does not stop the others, unless --fail-fast: then no other database starts, and those are "not started". The',
    'run ends with a table (database, from, to, result, duration), with --json as one document, which --report FILE',
    'also writes (atomically). --resume FILE reads such a report and retries only its failed and not started',
    'databases; a report written for other migrations (another digest of versions and checksums) is refused. On a',
    'terminal a progress line with an estimate of the time left is drawn on stderr. --dry-run, --phase and',
    '--ignore-missing are for one database.',
  ].join('\n'),
  options: {
    to: {
      type: 'string',
      value: 'V',
      format: 'version',
      description: 'stop after version V (apply it and what comes before it)',
    },
    phase: {
      type: 'string',
      value: 'P',
      choices: ['expand', 'contract'],
      description: 'expand: stop before the first migration that breaks the previous version; contract: apply the rest',
    },
    'dry-run': { type: 'boolean', description: 'print the SQL that would run, in order, and change nothing' },
    'ignore-missing': { type: 'boolean', description: 'run even though applied migrations are missing from the folder' },
    ...migrateManyOptions,
  },
  args: [],
  notes:
    'Exit codes: 0 success; 1 a migration, validation or database error (over many databases: any database failed);\n2 a usage error.',
  many: {
    options: Object.keys(migrateManyOptions),
    // Loaded only for a run over many databases.
    run: async (input) => (await import('../many/migrate.js')).migrateManyCommand(input),
  },
  async run({ values, open }) {
    const dryRun = values['dry-run'] === true;
    const to = typeof values.to === 'string' ? values.to : undefined;
    const phase = values.phase === 'expand' || values.phase === 'contract' ? values.phase : undefined;
    const { manager } = await open({ write: !dryRun });
    const report = await manager.migrate({ to, dryRun, ignoreMissing: values['ignore-missing'] === true, phase });
    const counts = report.steps.some((s) => s.status !== 'skipped') ? undefined : await countsOf(manager);
    return {
      data: report,
      exitCode: 0,
      render: (view) => {
        const waiting = waitingLines(report.waiting ?? [], view.color);
        const lines = report.dryRun ? waiting.map((line) => `-- ${line}`) : waiting;
        view.out([...runText(report, counts), ...lines].join('\n'));
      },
    };
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
