import { readFileSync } from 'node:fs';
import type { MigrateResult } from '@strata/core/node/many';
import { UsageError } from '../usage-error.js';

/** What `migrate --json` prints over many databases, `--report` writes, and `--resume` reads back. */
export interface MigrateManyDocument {
  readonly command: 'migrate';
  readonly migrationsDir: string;
  readonly driver: string;
  readonly table: string;
  /** The migrations of the run: how many, and the digest a resumed run must match. */
  readonly migrations: { readonly count: number; readonly digest: string };
  readonly databases: readonly MigrateResult[];
  readonly summary: object;
  readonly durationMs: number;
  /** For a resumed run: the report it resumed, and how many databases it left alone as done there. */
  readonly resumed?: { readonly report: string; readonly done: number };
}

/** Whether a database of a report is done: a resumed run leaves it alone. */
export function isDone(row: MigrateResult): boolean {
  return row.result === 'migrated' || row.result === 'up-to-date';
}

/**
 * Reads a report that `migrate --report` wrote, for `--resume`; a file that cannot be read or is not such a report
 * is a usage error naming it.
 *
 * @example
 * ```ts
 * const { databases } = readReport('/srv/last-run.json');
 * ```
 */
export function readReport(path: string): MigrateManyDocument {
  let document: unknown;
  try {
    document = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    const why = (error as { code?: unknown }).code === 'ENOENT' ? 'it does not exist' : (error as Error).message;
    throw new UsageError(`--resume: cannot read the report ${path}: ${why}`, 'migrate');
  }
  const report = document as Partial<MigrateManyDocument> | null;
  const valid =
    report !== null &&
    report.command === 'migrate' &&
    typeof report.migrations?.digest === 'string' &&
    Array.isArray(report.databases) &&
    report.databases.every((row) => typeof row?.file === 'string' && typeof row.result === 'string');
  if (!valid) {
    throw new UsageError(`--resume: ${path} is not a report of migrate over many databases (written by --report)`, 'migrate');
  }
  return report as MigrateManyDocument;
}
