import { namingDatabase } from '../guard-driver.js';
import { repairLines } from '../render/recovery.js';
import type { Command } from './command.js';

/** `repair [V] [--yes]`: re-record checksums and remove duplicate rows in the history; a dry run unless `--yes`. */
export const repairCommand: Command = {
  name: 'repair',
  summary: 're-record checksums, remove duplicate history rows (shows the change; --yes writes it)',
  usage: ['repair [V] [--yes]'],
  description: [
    'With V: re-records the checksum of applied migration V from its up.sql as it is now, after an edit made on',
    'purpose that the database already reflects. Without V: re-records every applied migration whose recorded',
    'checksum differs only because an older tool hashed up.sql with its CRLF line endings or byte-order mark; edited',
    'migrations are listed and left alone. A version recorded in more than one row (DUPLICATE_HISTORY, which a',
    'table made without a PRIMARY KEY allows) keeps its oldest row; the others are removed (with V, only those of V).',
    'Without --yes nothing is written: it prints what would change (version, old checksum → new checksum, the rows to',
    'remove). With --yes every change is written in one transaction. The database must exist.',
  ].join('\n'),
  options: {
    yes: { type: 'boolean', short: 'y', description: 'write the changes (without it, only print them)' },
  },
  args: [{ name: 'version', required: false, format: 'version' }],
  notes: [
    'Exit codes: 0 repaired, nothing to repair, or a dry run; 1 refused: a version no migration has',
    '(UNKNOWN_VERSION) or that is not applied (NOT_APPLIED), or a database error; 2 a usage error.',
  ].join('\n'),
  async run({ values, args, settings, open }) {
    const apply = values.yes === true;
    const [version] = args;
    const file = settings.databaseFile;
    const { manager } = await open({ write: apply, existing: ', so it has no history to repair' });
    const report = await manager.repair(version, { apply }).catch((error: unknown) => {
      throw namingDatabase(error, file);
    });
    return { data: report, exitCode: 0, render: (view) => view.out(repairLines(report, version, view.color).join('\n')) };
  },
};
