import { namingDatabase } from '../guard-driver.js';
import { forgetLines } from '../render/recovery.js';
import type { Command } from './command.js';

/** `forget V [--yes]`: remove the history row of a migration whose folder is gone; a dry run unless `--yes`. */
export const forgetCommand: Command = {
  name: 'forget',
  summary: 'remove the history row of a migration whose folder is gone (--yes writes it)',
  usage: ['forget V [--yes]'],
  description: [
    'For a migration recorded as applied whose folder was deleted on purpose (APPLIED_MISSING): removes its history',
    'row, so migrate and status run again without --ignore-missing. The schema is left as it is: what the migration',
    'made stays, and status and validate report it as drift (SCHEMA_DRIFT) until a migration makes it or it is',
    'dropped. Refused when a folder of version V exists (MIGRATION_PRESENT: roll it back instead) and when no row',
    'records V (NOT_APPLIED). Without --yes nothing is written: it prints the rows that would go. The database must',
    'exist.',
  ].join('\n'),
  options: {
    yes: { type: 'boolean', short: 'y', description: 'remove the rows (without it, only print them)' },
  },
  args: [{ name: 'version', required: true, format: 'version' }],
  notes: [
    'Exit codes: 0 forgotten, or a dry run; 1 refused (MIGRATION_PRESENT, NOT_APPLIED) or a database error; 2 a',
    'usage error.',
  ].join('\n'),
  async run({ values, args, settings, open }) {
    const apply = values.yes === true;
    const [version = ''] = args;
    const file = settings.databaseFile;
    const { manager } = await open({ write: apply, existing: ', so it has no history to forget' });
    const report = await manager.forget(version, { apply }).catch((error: unknown) => {
      throw namingDatabase(error, file);
    });
    return { data: report, exitCode: 0, render: (view) => view.out(forgetLines(report, view.color).join('\n')) };
  },
};
