import { MigrationManager } from '@strata/core';
import type { InspectResult } from '@strata/core/node/many';
import type { ManyInput, Outcome } from '../commands/command.js';
import { openDriver } from '../drivers.js';
import { errorLines, warningLines } from '../render/error.js';
import { statusSummary } from '../render/many.js';
import { shownPath } from '../render/paths.js';
import { notReplayedLines } from '../render/replay.js';
import { plural } from '../render/steps.js';
import { manyBase, needTargets, refuseOptions } from './common.js';

/**
 * `validate` over many databases: the folder is checked and replayed once, on an empty database in memory, as
 * `validate` does; then each database's history is compared with it (checksums, missing folders).
 */
export async function validateManyCommand(input: ManyInput): Promise<Outcome> {
  const { values, settings } = input;
  refuseOptions(values, ['parity', 'round-trip', 'phases'], 'validate');
  const targets = needTargets(input.targets, 'validate');
  const { set, options, api } = await manyBase<InspectResult>(input, 'validate');
  const scratch = await openDriver(settings.driver, { file: undefined, readonly: false });
  let folder: Awaited<ReturnType<MigrationManager['validate']>>;
  try {
    const manager = new MigrationManager({ driver: scratch, migrations: set, table: settings.table });
    folder = await manager.validate({ replay: values['no-replay'] !== true });
  } finally {
    await scratch.close();
  }
  // A folder with problems is reported as validate reports it; no database is opened.
  const report = folder.problems.length > 0 ? undefined : await api.validateMany({ ...options, targets });
  const rows = report?.results ?? [];
  const troubled = rows.filter((r) => r.result === 'problems' || r.result === 'failed');
  const problems = folder.problems.length + troubled.reduce((n, r) => n + r.problems.length, 0);
  return {
    data: {
      command: 'validate',
      migrationsDir: settings.dir,
      driver: settings.driver,
      table: settings.table ?? 'schema_migrations',
      folder: { order: folder.order, problems: folder.problems, warnings: folder.warnings, notReplayed: folder.notReplayed },
      ...(report === undefined ? {} : { migrations: report.migrations, summary: statusSummary(rows) }),
      databases: rows,
    },
    exitCode: problems > 0 ? 1 : 0,
    render: (view) => {
      for (const warning of folder.warnings) view.err(warningLines(warning, view.errColor).join('\n'));
      if (report === undefined) {
        for (const problem of folder.problems) view.err(errorLines(problem, view.errColor, false).join('\n'));
        for (const line of notReplayedLines(folder.notReplayed ?? [])) view.err(line);
        view.err(`validate: ${plural(folder.problems.length, 'problem')} found in the migrations folder; no database checked.`);
        return;
      }
      for (const r of troubled) {
        for (const p of r.problems)
          view.err(`${view.errColor.red('error')} ${shownPath(settings.cwd, r.file)}: ${p.code}: ${p.message}`);
      }
      const count = `${plural(folder.order.length, 'migration')}, ${plural(rows.length, 'database')}`;
      if (problems === 0) view.out(`OK: ${count}, no problems.`);
      else view.err(`validate: ${plural(problems, 'problem')} in ${plural(troubled.length, 'database')} (${count}).`);
    },
  };
}
