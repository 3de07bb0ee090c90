import { resolve } from 'node:path';
import { BACKUP_DEFAULTS, StrataError } from '@strata/core';
import { createDatabaseFolder } from '@strata/core/node/database-file';
import type { RestoreResult } from '@strata/core/node/operations';
import type { Palette } from '../color.js';
import { driverFactory, refuseServerDatabase } from '../drivers.js';
import { databaseError } from '../guard-driver.js';
import { shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import type { Command } from './command.js';

/** `restore <F> [--force]`: replace the database with a checked backup. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the database with a checked backup',
  usage: ['restore <F> [--force]'],
  description: [
    'Replaces the database with backup F, after checking it: F must not be the database itself (through a link',
    'either), must be a SQLite file that passes quick_check, must have the history table with nothing attached to',
    'it, and every migration it records must match the migrations folder (same up.sql checksum, folder still there).',
    'The database itself (INVALID_OPTION), a file that is not SQLite or is damaged (DATABASE_ERROR) are always',
    'refused. A file that is not a database of this folder (INVALID_OPTION), or whose history differs',
    '(CHECKSUM_MISMATCH, APPLIED_MISSING, or VALIDATION_FAILED for both), is refused unless --force. A refusal changes',
    'nothing. SQLite copies the backup into the database under its own locks, so programs may keep it open: they',
    "wait for the restore, then read the restored data. Another program's write is waited for up to the busy timeout",
    '(then LOCK_TIMEOUT). Just before, under the same lock, the database is copied into the backups folder, so a',
    'restore can be undone. With --driver sqljs, F must not be in WAL mode, and no other program may have the',
    'database open. Migrations the backup has not applied stay pending: run "strata migrate" afterwards.',
  ].join('\n'),
  options: {
    force: {
      type: 'boolean',
      description: 'restore even if checksums differ, versions are unknown or F is not of this folder (never if damaged)',
    },
  },
  args: [{ name: 'file', required: true }],
  notes:
    'Exit codes: 0 restored; 1 refused (the database itself, not SQLite, damaged, not of this folder or history\ndiffers without --force, locked) or the restore failed; 2 a usage error.',
  async run({ values, args, settings }) {
    refuseServerDatabase(settings.driver, settings.databaseFile, 'restore');
    const backup = resolve(settings.cwd, args[0] ?? '');
    const databaseFile = settings.databaseFile;
    const force = values.force === true;
    let check: RestoreResult;
    try {
      createDatabaseFolder(databaseFile);
      const factory = await driverFactory(settings.driver);
      const { restoreDatabase } = await import('@strata/core/node/operations');
      check = await restoreDatabase(backup, {
        databaseFile,
        factory,
        migrations: settings.dir,
        table: settings.table,
        force,
        backupDir: settings.backup.dir,
        keep: settings.backup.keep ?? BACKUP_DEFAULTS.keep,
      });
    } catch (error) {
      throw error instanceof StrataError ? error : databaseError(error, databaseFile);
    }
    const shown = (path: string) => shownPath(settings.cwd, path);
    return {
      data: { databaseFile, check },
      exitCode: 0,
      render: (view) => {
        view.out(checkLines(check, shown(check.file), view.color).join('\n'));
        const despite = check.ok ? '' : ' despite the differences (--force)';
        view.out(`Restored ${shown(databaseFile)} from ${shown(check.file)}${despite}.`);
        if (check.previous !== undefined) view.out(`The replaced database was kept in ${shown(check.previous.file)}.`);
      },
    };
  },
};

/** What the check of a backup found, one line per check. */
function checkLines(check: RestoreResult, file: string, c: Palette): string[] {
  const { applied, version, changed, unknown, pending, historyTableProblems } = check;
  const recorded =
    applied.length === 0 ? 'no migrations applied' : `${plural(applied.length, 'migration')} applied, last ${version}`;
  const differences = [...changed.map((v) => `${v} (up.sql changed)`), ...unknown.map((v) => `${v} (not in the folder)`)];
  const matching =
    differences.length === 0
      ? `${recorded}; checksums match the migrations folder`
      : `${recorded}; differs from the migrations folder: ${c.yellow(differences.join(', '))}`;
  const foreign = c.yellow(`not a database of these migrations: ${historyTableProblems.join('; ')}`);
  const history = historyTableProblems.length === 0 ? matching : applied.length === 0 ? foreign : `${foreign}; ${matching}`;
  const waiting = pending.length === 0 ? 'none' : `${pending.join(', ')} (not applied by a restore; run migrate)`;
  return [
    `Checked ${file}:`,
    `  SQLite file  ${c.green('ok')}`,
    `  quick_check  ${c.green('ok')}`,
    `  history      ${history}`,
    `  pending      ${waiting}`,
  ];
}
