import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import {
  DEFAULT_HISTORY_TABLE,
  type Driver,
  planSchemaChange,
  type Rename,
  readSchema,
  type SchemaModel,
  StrataError,
} from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { openDriver } from '../drivers.js';
import { replayFolder } from '../folder-replay.js';
import { shownPath } from '../render/paths.js';
import type { Settings } from '../settings.js';
import { UsageError } from '../usage-error.js';
import type { View } from '../view.js';
import type { Command } from './command.js';

/** `diff --to FILE [--name NAME] [--rename OLD=NEW]... [--allow-drop] [--dry-run]`: the migration that reaches a schema. */
export const diffCommand: Command = {
  name: 'diff',
  summary: 'write the migration that reaches a desired schema',
  usage: ['diff --to FILE [--name NAME] [--rename OLD=NEW]... [--allow-drop] [--dry-run]'],
  description: [
    'Writes the next migration folder, whose up.sql turns the schema the migrations folder builds (every migration',
    'applied to an empty database in memory) into the schema of FILE: a SQL file of CREATE statements, or a SQLite',
    'database file (read only, its history table left out). Each change is made by the cheapest statement that keeps',
    'the rows: ALTER TABLE renames a table or column, adds a column SQLite can add and drops one it can drop; any',
    "other change of a table is SQLite's rebuild (a new table, the rows of every kept column copied, the old table",
    'dropped, the new one renamed), and meta.yaml then says "foreign_keys: off" so nothing cascades. Views and',
    'triggers that read a changed table are dropped first and made again last. down.sql undoes up.sql. The new',
    'migration depends on the migrations nothing depends on yet.',
    'It never guesses: a table or column that disappears while another appears is AMBIGUOUS_CHANGE until --rename',
    'says it is a rename (users=people for a table, users.email=mail for a column) or --allow-drop says to drop it;',
    'a drop without --allow-drop is DESTRUCTIVE_CHANGE. Changes that may not keep every row (a type or NOT NULL',
    'change, a dropped column) are warned about on stderr and as comments in up.sql. Nothing differs: no folder.',
  ].join('\n'),
  options: {
    to: { type: 'string', value: 'file', required: true, description: 'the desired schema: a SQL file or a SQLite database' },
    name: { type: 'string', value: 'name', description: "the new migration's name (default: schema_change)" },
    rename: {
      type: 'string',
      value: 'old=new',
      multiple: true,
      description: 'a table (users=people) or column (users.email=mail) renamed, not dropped and added',
    },
    'allow-drop': { type: 'boolean', description: 'write the drops of tables and columns the desired schema leaves out' },
    'dry-run': { type: 'boolean', description: 'print up.sql and down.sql; write nothing' },
  },
  args: [],
  notes: [
    'Exit codes: 0 written, printed, or nothing differs; 1 the change is ambiguous (AMBIGUOUS_CHANGE) or drops',
    'something without --allow-drop (DESTRUCTIVE_CHANGE), FILE cannot be read or run (INVALID_OPTION), or a',
    'migration failed; 2 a usage error.',
  ].join('\n'),
  async run({ values, settings }) {
    const file = resolve(settings.cwd, String(values.to));
    const renames = renamesOf(values.rename);
    const from = await folderSchema(settings);
    const to = await desiredSchema(file, settings);
    const change = planSchemaChange(from, to, { renames, allowDrop: values['allow-drop'] === true });
    const shown = (path: string) => shownPath(settings.cwd, path);
    const summary = {
      up: change.up,
      down: change.down,
      foreignKeysOff: change.foreignKeysOff,
      warnings: change.warnings,
      differences: change.differences.map((d) => d.message),
    };
    const warn = (view: View) => {
      for (const w of change.warnings) view.err(`${view.errColor.yellow('warning')}: ${w}`);
    };
    if (change.up === '') {
      return {
        data: { ...summary, folder: null },
        exitCode: 0,
        render: (view) => view.out(`No difference: the migrations already build the schema of ${shown(file)}.`),
      };
    }
    if (values['dry-run'] === true) {
      return {
        data: { ...summary, folder: null },
        exitCode: 0,
        render: (view) => {
          warn(view);
          view.out('-- up.sql');
          view.out(change.up.trimEnd());
          view.out('');
          view.out('-- down.sql');
          view.out(change.down.trimEnd());
        },
      };
    }
    const { scaffoldMigration } = await import('@strata/core/node/operations');
    const result = await scaffoldMigration(settings.dir, typeof values.name === 'string' ? values.name : 'schema_change', {
      dependencies: await leaves(settings),
      description: `Reach the schema of ${basename(file)}`,
      versions: settings.versions,
      sql: { up: change.up, down: change.down },
      ...(change.foreignKeysOff ? { foreignKeys: 'off' as const } : {}),
    });
    return {
      data: { ...summary, folder: result.path, version: result.version, files: result.files },
      exitCode: 0,
      render: (view) => {
        warn(view);
        const folder = shown(result.path);
        view.out(`Created ${folder}/`);
        for (const f of result.files) view.out(`  ${view.color.green('+')} ${folder}/${basename(f)}`);
        for (const d of change.differences) view.out(`  ${d.message}`);
        view.out('Read it, then check it with "strata validate --round-trip".');
      },
    };
  },
};

/** `--rename` values: `users=people` renames a table, `users.email=mail` a column. */
function renamesOf(value: string | boolean | readonly string[] | undefined): Rename[] {
  const given = value === undefined || typeof value === 'boolean' ? [] : typeof value === 'string' ? [value] : value;
  return given.map((text) => {
    const match = /^([^.=]+)(?:\.([^.=]+))?=([^.=]+)$/.exec(text.trim());
    if (match === null) {
      throw new UsageError(
        `--rename must be OLD=NEW (a table, users=people) or TABLE.OLD=NEW (a column, users.email=mail), not "${text}"`,
        'diff',
      );
    }
    const [, table = '', column, to = ''] = match;
    return column === undefined ? { table, to } : { table, column, to };
  });
}

/** The schema the migrations folder builds, replayed in memory. */
async function folderSchema(settings: Settings): Promise<SchemaModel> {
  const driver = await replayFolder(settings);
  try {
    return await readSchema(driver, { exclude: [settings.table ?? DEFAULT_HISTORY_TABLE] });
  } finally {
    await driver.close();
  }
}

const SQLITE_HEADER = 'SQLite format 3\0';

/** The schema of `file`: a SQLite database read as it is, or SQL run on an empty database in memory. */
async function desiredSchema(file: string, settings: Settings): Promise<SchemaModel> {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new StrataError('INVALID_OPTION', `--to ${file} cannot be read: ${String(error)}`, { file, cause: error });
  }
  const exclude = [settings.table ?? DEFAULT_HISTORY_TABLE];
  if (bytes.subarray(0, SQLITE_HEADER.length).toString('latin1') === SQLITE_HEADER) {
    const database = await openDriver(settings.driver, { file, readonly: true });
    try {
      return await readSchema(database, { exclude });
    } finally {
      await database.close();
    }
  }
  const scratch: Driver = await openDriver(settings.driver, { file: undefined, readonly: false });
  try {
    await scratch.exec(bytes.toString('utf8'));
    return await readSchema(scratch, { exclude });
  } catch (error) {
    if (error instanceof StrataError && error.code === 'INVALID_OPTION') throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new StrataError('INVALID_OPTION', `--to ${file} cannot be run as SQL: ${reason}`, { file, cause: error });
  } finally {
    await scratch.close();
  }
}

/** The versions no migration of the folder depends on: the new migration comes after all of them. */
async function leaves(settings: Settings): Promise<string[]> {
  const { migrations } = await loadMigrationsFolder(settings.dir);
  const needed = new Set(migrations.flatMap((m) => m.meta.dependencies));
  return migrations.map((m) => m.version).filter((v) => !needed.has(v));
}
