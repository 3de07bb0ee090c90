import type { InspectResult } from '@strata/core/node/many';
import type { ManyInput, Outcome } from '../commands/command.js';
import { statusManyLines, statusSummary } from '../render/many.js';
import { manyBase, needTargets, refuseOptions } from './common.js';

/**
 * `status` over many databases: how many are at each version, which are behind and by how many migrations, which have
 * problems or cannot be read. Exit 1 when any has problems or cannot be read, as `status` of one database.
 */
export async function statusManyCommand(input: ManyInput): Promise<Outcome> {
  const { values, settings } = input;
  refuseOptions(values, ['phases'], 'status');
  const targets = needTargets(input.targets, 'status');
  const { options, api } = await manyBase<InspectResult>(input, 'status');
  const report = await api.statusMany({ ...options, targets });
  const summary = statusSummary(report.results);
  return {
    data: {
      command: 'status',
      migrationsDir: settings.dir,
      driver: settings.driver,
      table: settings.table ?? 'schema_migrations',
      migrations: report.migrations,
      summary,
      databases: report.results,
    },
    exitCode: summary.problems + summary.failed > 0 ? 1 : 0,
    render: (view) => view.out(statusManyLines(report.results, report.migrations.count, settings.cwd, view.color).join('\n')),
  };
}
