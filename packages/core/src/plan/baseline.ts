import { sameChecksum } from '../checksum.js';
import { StrataError, ValidationError } from '../errors.js';
import { type Migration, migrationFile } from '../migration.js';
import { type AppliedMigration, recordedVersions } from '../validate/history.js';
import type { CheckedSet } from '../validate/set.js';
import { findTarget } from './repair.js';

/** A migration as a baseline names it. */
export interface BaselineEntry {
  readonly version: string;
  readonly name: string;
  readonly folder: string;
  readonly checksum: string;
}

/** What a baseline would record. */
export interface BaselinePlan {
  /** The version named, as the migration spells it. */
  readonly version: string;
  /** Migrations to record as applied without running them, in run order. */
  readonly marked: readonly BaselineEntry[];
  /** Migrations of the baseline that the history already records with the same checksum; left as they are. */
  readonly alreadyApplied: readonly BaselineEntry[];
}

/** What `baseline` did, or in a dry run would do. */
export interface BaselineReport extends BaselinePlan {
  /** True unless the baseline was applied. */
  readonly dryRun: boolean;
}

/**
 * Decides what marking `version` as applied means: it and everything it depends on, directly or not, in run order.
 * Refuses (throws) when the migrations set has problems (the graph decides what is marked, so it must be whole),
 * for a version no migration has (`UNKNOWN_VERSION`), and when one of them is recorded with another checksum
 * (`CHECKSUM_MISMATCH`, every one named). Decides only; nothing is written.
 *
 * @example
 * ```ts
 * const { marked } = planBaseline(checkSet(set), await history.list(), '003'); // 001, 002 and 003 when 003 needs both
 * ```
 */
export function planBaseline(checked: CheckedSet, applied: readonly AppliedMigration[], version: string): BaselinePlan {
  if (checked.problems.length > 0) throw new ValidationError(checked.problems);
  const target = findTarget(checked, version);
  const needed = new Set([target.version]);
  // Reverse run order meets every dependent before its dependencies, so one pass collects the whole closure.
  for (const m of [...checked.order].reverse()) {
    if (needed.has(m.version)) for (const dependency of m.meta.dependencies) needed.add(dependency);
  }
  // Of rows that repeat a version (which status reports), the oldest counts.
  const recorded = new Map(recordedVersions(checked.byVersion, applied).map(({ row, migration }) => [migration, row]));
  const marked: BaselineEntry[] = [];
  const alreadyApplied: BaselineEntry[] = [];
  const mismatches: StrataError[] = [];
  for (const m of checked.order.filter((m) => needed.has(m.version))) {
    const row = recorded.get(m);
    if (row === undefined) marked.push(entryOf(m));
    else if (sameChecksum(row.checksum, m.checksum)) alreadyApplied.push(entryOf(m));
    else mismatches.push(mismatch(m, row, target));
  }
  if (mismatches.length > 0) throw new ValidationError(mismatches);
  return { version: target.version, marked, alreadyApplied };
}

function entryOf(m: Migration): BaselineEntry {
  return { version: m.version, name: m.name, folder: m.folder, checksum: m.checksum };
}

function mismatch(m: Migration, row: AppliedMigration, target: Migration): StrataError {
  const file = migrationFile(m, 'up.sql');
  return new StrataError(
    'CHECKSUM_MISMATCH',
    `cannot baseline ${target.version}: migration ${m.version} (${file}) is already applied with checksum ${row.checksum} but the file now has ${m.checksum}; repair it first if the edit was intended`,
    { version: m.version, file },
  );
}
