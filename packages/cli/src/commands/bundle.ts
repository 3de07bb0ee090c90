import { resolve } from 'node:path';
import { StrataError } from '@strata/core';
import type { BundleCheck } from '@strata/core/node/operations';
import { formatBytes, shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

/** `bundle --out <file>`: write the migrations folder, precomputed, into one ES module; `--check <file>`: compare. */
export const bundleCommand: Command = {
  name: 'bundle',
  summary: 'write the migrations, precomputed, into one ES module, for apps that compile them in',
  usage: ['bundle --out <file>', 'bundle --check <file>'],
  description: [
    'Writes an ES module holding the migrations folder as it is parsed and checked: for each migration its version,',
    'name, checksum, meta.yaml as parsed, up.sql and down.sql, and the run order, with a format version. Its default',
    'export (also exported as "migrations") goes to MigrationManager or DatabaseManager as the migrations: loading it',
    'hashes, parses and re-checks nothing, so a start-up that opens many databases pays little. Its checksums, meta',
    'and order are used as they are: the file is a build output, trusted like the rest of the app; do not edit it. A',
    'bundle of another format version is refused at load (INVALID_BUNDLE); modules of the older map of files still',
    'load. The extension of --out picks the language: .js or .mjs for JavaScript (typed by a JSDoc comment), .ts or',
    '.mts for TypeScript. The same folder always gives the same bytes (no time, no absolute path): commit it. A folder',
    'with problems is refused and nothing is written. The file is written atomically; its folder must exist.',
    '',
    'With --check <file> (as schema --check), writes nothing: exits 1 when the file is not exactly what the folder',
    'gives now, naming what differs (migrations added, removed or changed, by version; another format; another',
    'layout), and 0 when it is current. Run it in CI. Neither form opens the database.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: 'file', requiredUnless: 'check', description: 'the module to write: .js, .mjs, .ts or .mts' },
    check: {
      type: 'string',
      value: 'file',
      description: 'write nothing; exit 1 when this file is not what the folder gives now',
    },
  },
  args: [],
  notes: [
    'Exit codes: 0 written, or current with --check; 1 --check found the file stale, the folder has problems (each',
    'printed on stderr; nothing written) or the file cannot be written (INVALID_OPTION); 2 a usage error, such as no',
    '--out or an --out that is not .js, .mjs, .ts or .mts.',
  ].join('\n'),
  async run({ values, settings }) {
    const check = typeof values.check === 'string' ? values.check : undefined;
    const named = check ?? values.out;
    if (check !== undefined && values.out !== undefined) {
      throw new UsageError('give --out <file> to write the bundle or --check <file> to check it, not both', 'bundle');
    }
    if (typeof named !== 'string' || named === '') throw new UsageError('bundle needs --out <file>', 'bundle');
    const { bundleLanguageOf, checkMigrationsBundle, writeMigrationsBundle } = await import('@strata/core/node/operations');
    const out = resolve(settings.cwd, named);
    try {
      bundleLanguageOf(out);
    } catch (error) {
      if (error instanceof StrataError)
        throw new UsageError(`${check === undefined ? '--out' : '--check'}: ${error.message}`, 'bundle');
      throw error;
    }
    const shown = (path: string) => shownPath(settings.cwd, path);
    if (check !== undefined) {
      const found = await checkMigrationsBundle(settings.dir, out);
      return {
        data: found,
        exitCode: found.current ? 0 : 1,
        render: (view) => {
          if (found.current) return view.out(`${shown(found.file)} is up to date with ${shown(settings.dir)}.`);
          view.err(`${view.errColor.red('error')}: ${shown(found.file)} ${staleReason(found)}.`);
          view.err(`Write it again with "strata bundle --out ${shown(found.file)}".`);
        },
      };
    }
    const result = await writeMigrationsBundle(settings.dir, out);
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

/** Why a bundle is stale, as the end of a sentence that starts with its path. */
function staleReason(found: BundleCheck): string {
  switch (found.stale) {
    case 'missing':
      return 'does not exist';
    case 'format':
      return found.format === 'file map'
        ? 'is a bundle of the older format (a map of files), which loads but is parsed and hashed at every start'
        : `is not a bundle of the current format (${found.format ?? 'unknown'})`;
    case 'layout':
      return 'holds the same migrations, but is not written as the folder gives it now (order, header or language)';
    default: {
      const parts = [
        found.added.length > 0 ? `added ${found.added.join(', ')}` : '',
        found.removed.length > 0 ? `removed ${found.removed.join(', ')}` : '',
        found.changed.length > 0 ? `changed ${found.changed.join(', ')}` : '',
      ].filter((p) => p !== '');
      return `is stale: the folder has migrations ${parts.join('; ')} since it was written`;
    }
  }
}
