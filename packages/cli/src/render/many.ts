import type { SerializedError } from '@strata/core';
import type { InspectResult, MigrateResult } from '@strata/core/node/many';
import type { Palette } from '../color.js';
import { shownPath } from './paths.js';
import { formatDuration, plural } from './steps.js';

/** What a run over many databases counts, for the last line and `summary` in JSON. */
export interface MigrateSummary {
  readonly total: number;
  readonly migrated: number;
  readonly upToDate: number;
  readonly failed: number;
  readonly skipped: number;
}

/**
 * The counts of `migrateMany`'s rows.
 *
 * @example
 * ```ts
 * migrateSummary(results); // { total: 30, migrated: 29, upToDate: 0, failed: 1, skipped: 0 }
 * ```
 */
export function migrateSummary(rows: readonly MigrateResult[]): MigrateSummary {
  const count = (result: MigrateResult['result']) => rows.filter((r) => r.result === result).length;
  return {
    total: rows.length,
    migrated: count('migrated'),
    upToDate: count('up-to-date'),
    failed: count('failed'),
    skipped: count('skipped'),
  };
}

/** Rows as aligned columns, the header first. */
function columns(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)];
}

const RESULT_TEXT: Readonly<Record<MigrateResult['result'], string>> = {
  migrated: 'migrated',
  'up-to-date': 'up to date',
  failed: 'failed',
  skipped: 'not started',
};

/**
 * The table that ends a `migrate` over many databases: one line per database (file, from, to, result, duration),
 * each failure's error after it, and the counts.
 *
 * @example
 * ```ts
 * view.out(migrateTable(results, settings.cwd, view.color, 1200).join('\n'));
 * ```
 */
export function migrateTable(rows: readonly MigrateResult[], cwd: string, c: Palette, durationMs: number): string[] {
  const body = rows.map((r) => [
    shownPath(cwd, r.file),
    r.from ?? '-',
    r.to ?? '-',
    RESULT_TEXT[r.result],
    r.result === 'skipped' ? '-' : formatDuration(r.durationMs),
  ]);
  const [header = '', ...lines] = columns(['database', 'from', 'to', 'result', 'duration'], body);
  const styled = lines.map((line, i) => {
    const result = rows[i]?.result;
    return result === 'failed' ? c.red(line) : result === 'skipped' ? c.dim(line) : line;
  });
  const s = migrateSummary(rows);
  const parts = [
    `${s.migrated} migrated`,
    `${s.upToDate} up to date`,
    `${s.failed} failed`,
    ...(s.skipped === 0 ? [] : [`${s.skipped} not started`]),
  ];
  return [c.bold(header), ...styled, `${plural(s.total, 'database')}: ${parts.join(', ')}, in ${formatDuration(durationMs)}.`];
}

/** `  tenants/acme.db: MIGRATION_FAILED: migration 002 …`: the errors of failed databases, for stderr. */
export function failureLines(rows: readonly { file: string; error?: SerializedError }[], cwd: string, c: Palette): string[] {
  return rows.flatMap((r) =>
    r.error === undefined ? [] : [`${c.red('error')} ${shownPath(cwd, r.file)}: ${r.error.code}: ${r.error.message}`],
  );
}

/** What `status` over many databases counts: how many at each version, and by result. */
export interface StatusSummary {
  readonly total: number;
  readonly current: number;
  readonly behind: number;
  readonly problems: number;
  readonly failed: number;
  /** Version applied last → how many databases; `none` for those with no history. In version order. */
  readonly versions: Readonly<Record<string, number>>;
}

/**
 * The counts of `statusMany`'s or `validateMany`'s rows.
 *
 * @example
 * ```ts
 * statusSummary(results).versions; // { '002': 2, '003': 27, none: 1 }
 * ```
 */
export function statusSummary(rows: readonly InspectResult[]): StatusSummary {
  const versions = new Map<string, number>();
  for (const r of rows) {
    if (r.result === 'failed' || r.result === 'skipped') continue;
    const key = r.version ?? 'none';
    versions.set(key, (versions.get(key) ?? 0) + 1);
  }
  const order = [...versions.keys()].sort((a, b) => (a === 'none' ? 1 : b === 'none' ? -1 : Number(BigInt(a) - BigInt(b))));
  const count = (result: InspectResult['result']) => rows.filter((r) => r.result === result).length;
  return {
    total: rows.length,
    current: count('current'),
    behind: count('behind'),
    problems: count('problems'),
    failed: count('failed'),
    versions: Object.fromEntries(order.map((v) => [v, versions.get(v) ?? 0])),
  };
}

/**
 * `status` over many databases as text: how many are at each version, which are behind (with their pending count),
 * which have problems or could not be read, and the counts.
 *
 * @example
 * ```ts
 * view.out(statusManyLines(results, 3, settings.cwd, view.color).join('\n'));
 * ```
 */
export function statusManyLines(rows: readonly InspectResult[], migrations: number, cwd: string, c: Palette): string[] {
  const s = statusSummary(rows);
  const at = Object.entries(s.versions).map(([version, n]) => [
    `  ${version === 'none' ? 'none (no migration applied)' : version}`,
    `${plural(n, 'database')}`,
  ]);
  const behind = rows.filter((r) => r.result === 'behind');
  const troubled = rows.filter((r) => r.result === 'problems' || r.result === 'failed');
  return [
    `Databases: ${s.total}, migrations in the folder: ${migrations}`,
    '',
    'At each version:',
    ...(at.length === 0 ? ['  (none could be read)'] : columns(['', ''], at).slice(1)),
    '',
    'Behind (pending migrations):',
    ...(behind.length === 0
      ? ['  (none)']
      : columns(
          ['', '', ''],
          behind.map((r) => [
            `  ${c.yellow('○')} ${shownPath(cwd, r.file)}`,
            `at ${r.version ?? 'none'}`,
            `${r.pending} pending`,
          ]),
        ).slice(1)),
    '',
    'Problems:',
    ...(troubled.length === 0
      ? ['  (none)']
      : troubled.flatMap((r) => r.problems.map((p) => `  ${c.red('✗')} ${shownPath(cwd, r.file)}  ${p.code}: ${p.message}`))),
    '',
    `${plural(s.total, 'database')}: ${s.current} up to date, ${s.behind} behind, ${s.problems} with problems, ${s.failed} could not be read.`,
  ];
}
