import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { StrataError } from '@strata/core';
import type { RestoreResult } from '@strata/core/node';
import type { Palette } from '../color.js';
import { driverFactory } from '../drivers.js';
import { databaseError } from '../guard-driver.js';
import { shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import { DEFAULT_KEEP } from './backup.js';
import type { Command } from './command.js';

/** `restore <F> [--force]`: replace the database with a checked backup. */
export const restoreCommand: Command = {
  name: 'restore',
  summary: 'replace the database with a checked backup',
  usage: ['restore <F> [--force]'],
  description: [
    'Replaces the database with backup F, after checking it: F must be a SQLite file that passes quick_check, and',
    'every migration it records must match the migrations folder (same up.sql checksum, folder still there).',
    'The database being replaced is first backed up into the backups folder, so a restore can be undone.',
    'A file that is not SQLite or is damaged is always refused (DATABASE_ERROR). A backup whose history differs is',
    'refused (CHECKSUM_MISMATCH, APPLIED_MISSING, or VALIDATION_FAILED for both) with the versions that differ,',
    'unless --force. A refusal changes nothing. The swap is atomic and drops the old WAL; stop every program using',
    'the database first. Migrations the backup has not applied stay pending: run "migrate migrate" afterwards.',
  ].join('\n'),
  options: {
    force: { type: 'boolean', description: 'restore even if checksums differ or versions are unknown (never if damaged)' },
  },
  args: [{ name: 'file', required: true }],
  notes:
    'Exit codes: 0 restored; 1 refused (not SQLite, damaged, or history differs without --force) or the restore\nfailed; 2 a usage error.',
  async run({ values, args, settings }) {
    const backup = resolve(settings.cwd, args[0] ?? '');
    const databaseFile = settings.databaseFile;
    const force = values.force === true;
    let check: RestoreResult;
    try {
      if (settings.defaultDatabase) mkdirSync(dirname(databaseFile), { recursive: true });
      const factory = await driverFactory(settings.driver);
      const { backupBaseName, restoreDatabase, rotateBackups } = await import('@strata/core/node');
      const backupDir = settings.backup.dir;
      check = await restoreDatabase(backup, {
        databaseFile,
        factory,
        migrations: settings.dir,
        table: settings.table,
        force,
        backupDir,
      });
      // Rotated only after the swap, so that it can never delete the backup being restored.
      if (check.previous !== undefined) {
        await rotateBackups(dirname(check.previous.file), backupBaseName(databaseFile), settings.backup.keep ?? DEFAULT_KEEP);
      }
    } catch (error) {
      throw error instanceof StrataError ? error : databaseError(error, databaseFile);
    }
    const shown = (path: string) => shownPath(settings.cwd, path);
    return {
      data: { databaseFile, check },
      exitCode: 0,
      render: (view) => {
        view.out(checkLines(check, shown(check.file), view.color).join('\n'));
        const despite = check.problems.length > 0 ? ' despite the differences (--force)' : '';
        view.out(`Restored ${shown(databaseFile)} from ${shown(check.file)}${despite}.`);
        if (check.previous !== undefined) view.out(`The replaced database was kept in ${shown(check.previous.file)}.`);
      },
    };
  },
};

/** What the check of a backup found, one line per check. */
function checkLines(check: RestoreResult, file: string, c: Palette): string[] {
  const { applied, version, changed, unknown, pending } = check;
  const recorded =
    applied.length === 0 ? 'no migrations applied' : `${plural(applied.length, 'migration')} applied, last ${version}`;
  const differences = [...changed.map((v) => `${v} (up.sql changed)`), ...unknown.map((v) => `${v} (not in the folder)`)];
  const history =
    differences.length === 0
      ? `${recorded}; checksums match the migrations folder`
      : `${recorded}; differs from the migrations folder: ${c.yellow(differences.join(', '))}`;
  const waiting = pending.length === 0 ? 'none' : `${pending.join(', ')} (not applied by a restore; run migrate)`;
  return [
    `Checked ${file}:`,
    `  SQLite file  ${c.green('ok')}`,
    `  quick_check  ${c.green('ok')}`,
    `  history      ${history}`,
    `  pending      ${waiting}`,
  ];
}
