import type { ConnectionSettings } from '@strata/core';
import type { Command, OptionSpec } from '../commands/command.js';
import { connectionDefaultsLine } from '../connection-options.js';

/** Aligned `  --name <value>  description` lines. */
function optionLines(specs: Readonly<Record<string, OptionSpec>>): string[] {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const flag = `${spec.short === undefined ? '' : `-${spec.short}, `}--${name}`;
    return [
      spec.value === undefined ? flag : `${flag} <${spec.value}>`,
      spec.required === true
        ? `${spec.description} (required)`
        : spec.multiple === true
          ? `${spec.description} (repeatable)`
          : spec.description,
    ] as const;
  });
  return table(rows);
}

function table(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(0, ...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => (right === '' ? `  ${left}` : `  ${left.padEnd(width)}  ${right}`));
}

const EXIT_CODES = 'Exit codes: 0 success; 1 a migration, validation or database error; 2 a usage error.';

const ENVIRONMENT = [
  'Environment: STRATA_DB and STRATA_DIR set the database file and the migrations folder, relative to the working',
  'folder; an option on the command line wins over them, and they win over the config file. Under a package script',
  '(pnpm migrate ...), the working folder is the one the command was typed in. With --driver libsql, --db may be a',
  'libsql://, http(s)://, ws(s):// or file: URL, and STRATA_AUTH_TOKEN is the token sent to the server (sqld, Turso).',
];

const CONFIG = [
  'Config file: strata.config.json, strata.config.yaml or strata.config.yml (only one of them), in the working folder',
  'or the nearest folder above it that has one, up to the repository root (a folder holding .git). It may set db,',
  'dir, driver, table, busyTimeoutMs, lockStaleMs, foreignKeys (true or false), journalMode, synchronous, and',
  'backup: { dir, keep }. Paths in it are relative to its own folder. An unknown key or a value of the wrong type is',
  'an INVALID_OPTION error (exit 1) naming the file and the key. Example (strata.config.yaml):',
  '  db: data/app.db',
  '  dir: db/migrations',
  '  backup: { dir: data/backups, keep: 7 }',
];

/**
 * `strata --help`: every command, the global options, the default database file and connection settings, the
 * environment, the config file, the exit codes.
 */
export function globalHelp(
  program: string,
  commands: readonly Command[],
  globals: Readonly<Record<string, OptionSpec>>,
  defaults: { readonly db: string; readonly connection: ConnectionSettings },
): string {
  return [
    `Usage: ${program} [options] <command> [command options]`,
    '',
    'Apply, inspect and roll back the SQL migrations of a SQLite database.',
    '',
    'Commands:',
    ...table([
      ...commands.flatMap((c) => c.usage.map((usage, i) => [usage, i === 0 ? c.summary : ''] as const)),
      ['help [command]', 'show help for a command'],
    ]),
    '',
    'Options (before or after the command):',
    ...optionLines(globals),
    '',
    `Default database: ${defaults.db}`,
    connectionDefaultsLine(defaults.connection),
    ...ENVIRONMENT,
    ...CONFIG,
    EXIT_CODES,
    `Run "${program} help <command>" for a command's own options.`,
  ].join('\n');
}

/** `strata help <command>` and `strata <command> --help`. */
export function commandHelp(program: string, command: Command): string {
  const [first = command.name, ...more] = command.usage;
  const options = Object.keys(command.options).length === 0 ? [] : ['', 'Options:', ...optionLines(command.options)];
  return [
    `Usage: ${program} [options] ${first}`,
    ...more.map((u) => `       ${program} [options] ${u}`),
    '',
    command.description,
    ...options,
    '',
    `Global options: --db, --dir, --driver, --table, --foreign-keys, --journal-mode, --json and more (see "${program} --help");`,
    'STRATA_DB and STRATA_DIR stand in for --db and --dir.',
    command.notes ?? EXIT_CODES,
  ].join('\n');
}
