import { resolve } from 'node:path';
import { StrataError } from '@strata/core';
import { formatBytes, shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

/** `bundle --out <file>`: write the migrations folder into one ES module. */
export const bundleCommand: Command = {
  name: 'bundle',
  summary: 'write the migrations into one ES module, for apps that compile them in',
  usage: ['bundle --out <file>'],
  description: [
    'Writes an ES module holding every file of the migrations folder, for a bundler without a glob import or an app',
    'that compiles its migrations in. The module exports the map of files (path → text) as its default export and',
    'as "migrations"; pass it to MigrationManager or parseMigrationFiles, which read it exactly as they read the',
    'folder: same order, same checksums. The extension of --out picks the language: .js or .mjs for JavaScript',
    '(typed by a JSDoc comment), .ts or .mts for TypeScript. Keys are sorted and texts kept byte for byte, with no',
    'time or absolute path, so the same folder always gives the same file: commit it, or check it in CI by running',
    'the command and comparing. A folder with problems is refused and nothing is written. The file is written',
    'atomically; its folder must exist. Does not open the database.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'file', required: true, description: 'the module to write: .js, .mjs, .ts or .mts' },
  },
  args: [],
  notes:
    'Exit codes: 0 written; 1 the folder has problems (each printed on stderr; nothing written) or the file cannot\nbe written (INVALID_OPTION); 2 a usage error, such as no --out or an --out that is not .js, .mjs, .ts or .mts.',
  async run({ values, settings }) {
    const { bundleLanguageOf, writeMigrationsBundle } = await import('@strata/core/node/operations');
    const out = resolve(settings.cwd, String(values.out));
    try {
      bundleLanguageOf(out);
    } catch (error) {
      if (error instanceof StrataError) throw new UsageError(`--out: ${error.message}`, 'bundle');
      throw error;
    }
    const result = await writeMigrationsBundle(settings.dir, out);
    const shown = (path: string) => shownPath(settings.cwd, path);
    return {
      data: { file: result.file, migrations: result.migrations, files: result.files, bytes: result.bytes },
      exitCode: 0,
      render: (view) => {
        const what = `${plural(result.migrations, 'migration')} (${plural(result.files, 'file')})`;
        view.out(`Bundled ${what} from ${shown(settings.dir)} into ${shown(result.file)} (${formatBytes(result.bytes)}).`);
      },
    };
  },
};
