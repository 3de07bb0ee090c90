import { namingDatabase } from '../guard-driver.js';
import { baselineLines } from '../render/recovery.js';
import type { Command } from './command.js';

/** `baseline V [--yes]`: mark V and what it depends on as applied without running them; a dry run unless `--yes`. */
export const baselineCommand: Command = {
  name: 'baseline',
  summary: 'mark V and its dependencies applied without running them (--yes writes it)',
  usage: ['baseline V [--yes]'],
  description: [
    'For a database whose schema was made before Strata managed it: records migration V and every migration it',
    'depends on, directly or not, as applied, without running their SQL, creating the history table if needed.',
    'Migrations already recorded with the same checksum are left as they are. Refused when the folder has problems,',
    'when no migration has version V (UNKNOWN_VERSION), or when one of them is recorded with another checksum',
    '(CHECKSUM_MISMATCH). Without --yes nothing is written: it prints what would be marked. With --yes every row is',
    'written in one transaction. The database must exist; make sure its schema really is that of V.',
  ].join('\n'),
  options: {
    yes: { type: 'boolean', short: 'y', description: 'write the history rows (without it, only print them)' },
  },
  args: [{ name: 'version', required: true, format: 'version' }],
  notes: [
    'Exit codes: 0 marked, nothing to mark, or a dry run; 1 refused (UNKNOWN_VERSION, CHECKSUM_MISMATCH, problems',
    'in the folder) or a database error; 2 a usage error.',
  ].join('\n'),
  async run({ values, args, settings, open }) {
    const apply = values.yes === true;
    const [version = ''] = args;
    const file = settings.databaseFile;
    const existing = '; baseline records the migrations an existing database already has';
    const { manager } = await open({ write: apply, existing });
    const report = await manager.baseline(version, { apply }).catch((error: unknown) => {
      throw namingDatabase(error, file);
    });
    return { data: report, exitCode: 0, render: (view) => view.out(baselineLines(report, view.color).join('\n')) };
  },
};
