import { BACKUP_DEFAULTS } from '@strata/core';
import { refuseServerDatabase } from '../drivers.js';
import { formatBytes, shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import { databaseOption } from '../settings.js';
import type { Command } from './command.js';

/** `backup [--out F]`: an online backup of the database. */
export const backupCommand: Command = {
  name: 'backup',
  summary: 'take an online backup of the database',
  usage: ['backup [--out F]'],
  description: [
    'Copies the database while other processes may keep using it: a consistent snapshot (VACUUM INTO, or the bytes',
    'of a sql.js database), written to a temporary file and renamed, so a backup that exists is complete. It goes',
    'into the backups folder (the config file\'s backup.dir, default "backups" beside the database) as',
    '<dbname>.<UTC time>.v<last applied version>.sqlite, and the oldest backups of this database there are deleted',
    `beyond backup.keep (default ${BACKUP_DEFAULTS.keep}). With --out, exactly that file is written and nothing is deleted.`,
    'The database file must exist. Restore a backup with "strata restore <file>".',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'file', description: 'write the backup to this file (its folder must exist)' },
  },
  args: [],
  notes: 'Exit codes: 0 backed up; 1 the database does not exist or the backup failed; 2 a usage error.',
  async run({ values, settings, open }) {
    refuseServerDatabase(settings.driver, settings.databaseFile, 'backup');
    const databaseFile = settings.databaseFile;
    const out = typeof values.out === 'string' ? databaseOption(values.out, settings.cwd, '--out') : undefined;
    const existing = ', so there is nothing to back up';
    const { driver } = await open({ write: false, migrations: false, existing });
    const { backupAndRotate } = await import('@strata/core/node/operations');
    const keep = settings.backup.keep ?? BACKUP_DEFAULTS.keep;
    const { backup: info, removed } = await backupAndRotate(driver, {
      databaseFile,
      dir: settings.backup.dir,
      out,
      table: settings.table,
      keep,
    });
    const shown = (path: string) => shownPath(settings.cwd, path);
    return {
      data: { ...info, removed },
      exitCode: 0,
      render: (view) => {
        const version = info.version === null ? 'no migrations applied' : `version ${info.version}`;
        view.out(`Backed up ${shown(databaseFile)} to ${shown(info.file)} (${formatBytes(info.sizeBytes)}, ${version}).`);
        if (removed.length > 0) {
          view.out(`Removed ${plural(removed.length, 'older backup')} (keeping ${keep}):`);
          for (const old of removed) view.out(`  ${view.color.dim('-')} ${shown(old.file)}`);
        }
      },
    };
  },
};
