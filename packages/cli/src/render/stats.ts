import type { DatabaseStats } from '@strata/core';
import type { DatabaseManagerStats } from '@strata/core/node';
import type { Palette, Style } from '../color.js';
import { formatBytes } from './paths.js';
import { formatDuration, plural } from './steps.js';

/**
 * What `stats` reports: the database's statistics, and its files' sizes on disk, or `file: null` for a server's
 * database, which has no file here (its pages are still the engine's answer).
 */
export interface CliStats extends Omit<DatabaseManagerStats, 'file'> {
  readonly file: DatabaseManagerStats['file'] | null;
}

/**
 * The text of `stats`: the file (shown as `path`, opened with `driver`), the tables with their row counts, the
 * migrations with their durations, the integrity checks, and the health verdict with its reasons: green for ok,
 * yellow for a warning, red for an error.
 */
export function statsLines(stats: CliStats, path: string, driver: string, c: Palette): string[] {
  const { file } = stats;
  return [
    `Database: ${path} (${driver})`,
    ...pairs([
      [
        'file',
        file === null
          ? "none here: a server's database (size from its pages)"
          : `${formatBytes(file.sizeBytes)} on disk; WAL ${formatBytes(file.walSizeBytes)}`,
      ],
      ['pages', `${stats.pageCount} × ${stats.pageSize} bytes = ${formatBytes(stats.sizeBytes)}, ${stats.freelistCount} free`],
      ['journal', stats.journalMode],
      ['schema', schemaLine(stats)],
    ]),
    '',
    'Tables:',
    ...tableLines(stats, c),
    '',
    ...migrationLines(stats, c),
    '',
    'Checks:',
    ...checkLines(stats, c),
    '',
    ...healthLines(stats, c),
  ];
}

function schemaLine(stats: DatabaseStats): string {
  const indexes = `${stats.indexes} ${stats.indexes === 1 ? 'index' : 'indexes'}`;
  return `${plural(stats.tables.length, 'table')}, ${indexes}, ${plural(stats.triggers, 'trigger')}, ${plural(stats.views, 'view')}`;
}

function tableLines(stats: DatabaseStats, c: Palette): string[] {
  if (stats.tables.length === 0) return [`  ${c.dim('(none)')}`];
  return columns(
    stats.tables.map((t): Row => [t.name, t.rows === null ? '?' : String(t.rows), t.history ? c.dim('(history)') : '']),
  );
}

function migrationLines(stats: DatabaseStats, c: Palette): string[] {
  const { applied, pending, last, durations, totalDurationMs } = stats.migrations;
  const latest = last === undefined ? '' : `; last ${last.version} ${last.name} (applied: ${last.appliedAt})`;
  const head = `Migrations: ${applied} applied, ${pending === 0 ? '0 pending' : c.yellow(`${pending} pending`)}${latest}`;
  if (durations.length === 0) return [head];
  const took = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));
  const rows = durations.map((d): Row => [`${d.version} ${d.name}`, took(d.durationMs), '']);
  return [head, ...columns([...rows, ['total', formatDuration(totalDurationMs), '']])];
}

function checkLines(stats: DatabaseStats, c: Palette): string[] {
  const { quickCheck, foreignKeyViolations: violations, foreignKeyViolationsTruncated: more } = stats.checks;
  const quick = quickCheck.length === 1 && quickCheck[0] === 'ok' ? c.green('ok') : c.red(quickCheck.join('; '));
  const count = `${violations.length}${more ? '+' : ''}`;
  const keys = violations.length === 0 ? c.green('ok') : c.red(`${count} violation${count === '1' ? '' : 's'}`);
  const samples = violations
    .slice(0, 5)
    .map((v) => `    ${v.table} ${v.rowid === null ? '(no rowid)' : `row ${v.rowid}`} → missing ${v.parent} row`);
  return [
    ...pairs([
      ['quick_check', quick],
      ['foreign keys', keys],
    ]),
    ...samples,
  ];
}

function healthLines(stats: DatabaseStats, c: Palette): string[] {
  const { status, reasons } = stats.health;
  const style: Style = status === 'ok' ? c.green : status === 'warning' ? c.yellow : c.red;
  return [`Health: ${style(status)}`, ...reasons.map((reason) => `  ${style('-')} ${reason}`)];
}

/** `  label     value` lines, the values lined up. */
function pairs(rows: readonly (readonly [string, string])[]): string[] {
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}

/** Name, right-aligned value, note: a line of the table and duration lists. Only the note, last, may be coloured. */
type Row = readonly [string, string, string];

/** The rows with the values lined up. */
function columns(rows: readonly Row[]): string[] {
  const left = Math.max(...rows.map(([name]) => name.length));
  const right = Math.max(...rows.map(([, value]) => value.length));
  return rows.map(([name, value, note]) =>
    `  ${name.padEnd(left)}  ${value.padStart(right)}${note === '' ? '' : `  ${note}`}`.trimEnd(),
  );
}
