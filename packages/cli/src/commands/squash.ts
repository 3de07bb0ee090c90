import { planSquash } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { openDriver } from '../drivers.js';
import { shownPath } from '../render/paths.js';
import type { Command } from './command.js';

/** `squash --to V [--name NAME] [--remove-replaced] [--dry-run]`: one migration in place of V and what it needs. */
export const squashCommand: Command = {
  name: 'squash',
  summary: 'replace the migrations up to V with one migration',
  usage: ['squash --to V [--name NAME] [--remove-replaced] [--dry-run]'],
  description: [
    'Replaces migration V and every migration it depends on, directly or not, with one migration, V_NAME',
    '(003_squashed by default): they are replayed on an empty database in memory, and its up.sql creates the schema',
    'found there with the rows they inserted; its meta.yaml lists under "replaces" each replaced version with the',
    'checksum of its up.sql, and it has a down.sql only when every replaced migration has one. The squash is checked',
    'before it is written: applied to an empty database it must give the same schema and rows, and its down.sql an',
    'empty schema again.',
    '',
    'A new database runs only the squash. A database that ran the replaced migrations counts it as applied, once its',
    'schema is found to be the one the squash builds; one that ran some of them runs the rest first. The replaced',
    'folders stay unless --remove-replaced: remove them once every database has migrated past V. --dry-run prints',
    'the files instead of writing them.',
  ].join('\n'),
  options: {
    to: { type: 'string', value: 'V', required: true, format: 'version', description: 'the last migration to replace' },
    name: { type: 'string', value: 'NAME', description: 'the name of the squash folder after its version (default squashed)' },
    'remove-replaced': { type: 'boolean', description: 'remove the folders of the replaced migrations' },
    'dry-run': { type: 'boolean', description: 'print the files, write nothing' },
  },
  args: [],
  notes:
    'Exit codes: 0 written (or printed); 1 refused (SQUASH_REFUSED, UNKNOWN_VERSION, a problem in the folder, a migration that fails), nothing written; 2 a usage error.',
  async run({ values, settings }) {
    const migrations = await loadMigrationsFolder(settings.dir);
    const driver = await openDriver(settings.driver, { file: undefined, readonly: false });
    const plan = await (async () => {
      try {
        return await planSquash(driver, migrations, String(values.to), {
          ...(typeof values.name === 'string' ? { name: values.name } : {}),
          ...(settings.table === undefined ? {} : { table: settings.table }),
        });
      } finally {
        await driver.close();
      }
    })();
    const replaced = plan.replaced.map((m) => m.folder);
    const shown = (path: string) => shownPath(settings.cwd, path);
    if (values['dry-run'] === true) {
      return {
        data: { dryRun: true, folder: plan.folder, replaced, files: plan.files },
        exitCode: 0,
        render: (view) => {
          view.out(`Would write ${plan.folder}, replacing ${replaced.join(', ')}:`);
          for (const [file, text] of Object.entries(plan.files)) {
            view.out(`\n--- ${plan.folder}/${file}`);
            view.out(text.trimEnd());
          }
        },
      };
    }
    const { writeSquash } = await import('@strata/core/node/operations');
    const written = await writeSquash(settings.dir, plan, { removeReplaced: values['remove-replaced'] === true });
    return {
      data: { dryRun: false, folder: written.folder, replaced, files: written.files, removed: written.removed },
      exitCode: 0,
      render: (view) => {
        view.out(`Wrote ${shown(written.folder)} (${Object.keys(plan.files).join(', ')}), replacing ${replaced.join(', ')}.`);
        if (written.removed.length > 0) view.out(`Removed ${written.removed.map(shown).join(', ')}.`);
        else
          view.out('The replaced folders stay; remove them with --remove-replaced once every database has migrated past them.');
      },
    };
  },
};
