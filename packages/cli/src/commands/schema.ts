import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DEFAULT_HISTORY_TABLE, type Driver, diffSchemas, readSchema, StrataError, schemaSql } from '@strata/core';
import { openDriver } from '../drivers.js';
import { replayFolder } from '../folder-replay.js';
import { shownPath } from '../render/paths.js';
import { plural } from '../render/steps.js';
import type { Settings } from '../settings.js';
import type { Command } from './command.js';

/** `schema [--database] [--out F | --check F]`: the canonical schema, printed, written or checked. */
export const schemaCommand: Command = {
  name: 'schema',
  summary: 'print, write or check the canonical schema (schema.sql)',
  usage: ['schema [--database] [--out F | --check F]'],
  description: [
    'Prints the schema the migrations folder builds: every migration is applied, in order, to an empty database in',
    'memory, and its tables, indexes, views and triggers are written as SQL in one deterministic order (tables, then',
    'indexes, views, triggers, each by name) and text, the history table left out. Commit it as schema.sql and read',
    'the schema in review. With --database, the schema of the database (--db) instead. --out F writes it to F',
    '(atomically); --check F compares it with F and fails when F is stale, naming each difference, for CI.',
  ].join('\n'),
  options: {
    database: { type: 'boolean', description: 'the schema of the database, not of the migrations folder replayed' },
    out: { type: 'string', value: 'file', description: 'write the schema to this file' },
    check: { type: 'string', value: 'file', description: 'fail (exit 1) when this file is not the schema' },
  },
  args: [],
  notes: 'Exit codes: 0 printed, written or up to date; 1 --check found the file stale, or a migration failed; 2 a usage error.',
  async run({ values, settings, open }) {
    const exclude = [settings.table ?? DEFAULT_HISTORY_TABLE];
    const source =
      values.database === true ? (await open({ write: false, migrations: false })).driver : await replayFolder(settings);
    try {
      const text = await schemaSql(source, { exclude });
      const shown = (path: string) => shownPath(settings.cwd, path);
      if (typeof values.check === 'string') {
        const file = resolve(settings.cwd, values.check);
        const committed = readCommitted(file);
        const differences = committed === text ? [] : await differencesFrom(committed, source, settings, exclude);
        const upToDate = committed === text;
        return {
          data: { file, upToDate, differences },
          exitCode: upToDate ? 0 : 1,
          render: (view) => {
            if (upToDate) return view.out(`${shown(file)} is up to date.`);
            view.err(`${view.errColor.red('error')}: ${shown(file)} is not the schema the migrations build:`);
            for (const d of differences) view.err(`  ${d}`);
            if (differences.length === 0) view.err('  the same schema, written otherwise');
            view.err(`Write it again with "strata schema --out ${shown(file)}".`);
          },
        };
      }
      if (typeof values.out === 'string') {
        const file = resolve(settings.cwd, values.out);
        const { writeFileAtomically } = await import('@strata/core/node/files');
        await writeFileAtomically(file, new TextEncoder().encode(text));
        const objects = text === '' ? 0 : text.split(';\n\n').length;
        return {
          data: { file, objects },
          exitCode: 0,
          render: (view) => view.out(`Wrote ${shown(file)} (${plural(objects, 'object')}).`),
        };
      }
      return { data: { schema: text }, exitCode: 0, render: (view) => view.out(text.trimEnd()) };
    } finally {
      if (values.database !== true) await source.close();
    }
  },
};

function readCommitted(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new StrataError('INVALID_OPTION', `--check ${file} cannot be read: ${String(error)}`, { file, cause: error });
  }
}

/** What differs between the committed file's schema and the current one, read the same way. */
async function differencesFrom(committed: string, current: Driver, settings: Settings, exclude: string[]): Promise<string[]> {
  const scratch = await openDriver(settings.driver, { file: undefined, readonly: false });
  try {
    await scratch.exec(committed);
    return diffSchemas(await readSchema(scratch, { exclude }), await readSchema(current, { exclude })).map((d) => d.message);
  } catch (error) {
    return [`it cannot be run as SQL: ${error instanceof Error ? error.message : String(error)}`];
  } finally {
    await scratch.close();
  }
}
