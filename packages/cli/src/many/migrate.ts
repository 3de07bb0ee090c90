import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { writeFileAtomically } from '@strata/core/node/files';
import type { MigrateResult } from '@strata/core/node/many';
import type { ManyInput, Outcome } from '../commands/command.js';
import { failureLines, migrateSummary, migrateTable } from '../render/many.js';
import { shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import { UsageError } from '../usage-error.js';
import { manyBase, needTargets, refuseOptions } from './common.js';
import { isDone, type MigrateManyDocument, readReport } from './report-file.js';

/**
 * `migrate` over many databases: each in its own run, several at once; one table at the end, exit 1 if any failed.
 * With `--resume`, the databases come from an earlier report, and only those not done there run again.
 */
export async function migrateManyCommand(input: ManyInput): Promise<Outcome> {
  const { values, settings } = input;
  refuseOptions(values, ['dry-run', 'phase', 'ignore-missing'], 'migrate');
  const resumed = typeof values.resume === 'string' ? resolve(settings.cwd, values.resume) : undefined;
  if (resumed !== undefined && input.targets.length > 0) {
    throw new UsageError('--resume takes its databases from the report: leave --db out', 'migrate');
  }
  const { set, options, api } = await manyBase<MigrateResult>(input, 'migrate');
  const digest = api.migrationsDigest(set);
  const previous = resumed === undefined ? undefined : readReport(resumed);
  if (previous !== undefined && previous.migrations.digest !== digest) {
    throw new UsageError(
      `--resume: ${resumed} was written for other migrations (${previous.migrationsDir}: ${plural(previous.migrations.count, 'migration')}, digest ${previous.migrations.digest}), not those of ${settings.dir} (digest ${digest}); resume with the migrations of that run, or migrate without --resume`,
      'migrate',
    );
  }
  const targets =
    previous === undefined
      ? needTargets(input.targets, 'migrate')
      : previous.databases.filter((r) => !isDone(r)).map((r) => r.file);
  const to = typeof values.to === 'string' ? values.to : undefined;
  const report = await api.migrateMany({
    ...options,
    targets,
    failFast: values['fail-fast'] === true,
    ...(to === undefined ? {} : { to }),
  });
  const rows = previous === undefined ? report.results : merged(previous.databases, report.results);
  const document: MigrateManyDocument = {
    command: 'migrate',
    migrationsDir: settings.dir,
    driver: settings.driver,
    table: settings.table ?? 'schema_migrations',
    migrations: report.migrations,
    databases: rows,
    summary: migrateSummary(rows),
    durationMs: report.durationMs,
    ...(previous === undefined || resumed === undefined
      ? {}
      : { resumed: { report: resumed, done: rows.length - targets.length } }),
  };
  if (typeof values.report === 'string') {
    const file = resolve(settings.cwd, values.report);
    mkdirSync(dirname(file), { recursive: true });
    await writeFileAtomically(file, Buffer.from(`${JSON.stringify(document, null, 2)}\n`));
  }
  return {
    data: document,
    exitCode: rows.some((r) => r.result === 'failed') ? 1 : 0,
    render: (view) => {
      if (resumed !== undefined) {
        const done = rows.length - targets.length;
        view.out(
          `Resuming ${shownPath(settings.cwd, resumed)}: ${plural(done, 'database')} done there left alone, ${targets.length} to retry.`,
        );
      }
      view.out(migrateTable(report.results, settings.cwd, view.color, report.durationMs).join('\n'));
      const failures = failureLines(report.results, settings.cwd, view.errColor);
      if (failures.length > 0) view.err(failures.join('\n'));
    },
  };
}

/** The rows of a resumed report, each database retried now replaced by its new row. */
function merged(before: readonly MigrateResult[], now: readonly MigrateResult[]): MigrateResult[] {
  const byFile = new Map(now.map((row) => [row.file, row]));
  return before.map((row) => byFile.get(row.file) ?? row);
}
