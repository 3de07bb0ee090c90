import { sameChecksum } from '../checksum.js';
import { StrataError, ValidationError } from '../errors.js';
import { type Migration, versionKey } from '../migration.js';
import { type AppliedMigration, isLegacyChecksum, type RecordedVersion, recordedVersions } from '../validate/history.js';
import type { CheckedSet } from '../validate/set.js';
import { findVersion } from './migrate.js';

/**
 * Why a recorded checksum differs from up.sql: `line-endings` when the history holds the checksum of the same text
 * with other line endings or a byte-order mark (as tools that did not normalise recorded it), `edited` otherwise.
 */
export type ChecksumDifference = 'line-endings' | 'edited';

/** An applied migration whose recorded checksum differs from its up.sql, and what a repair writes instead. */
export interface ChecksumChange {
  readonly version: string;
  readonly name: string;
  readonly folder: string;
  /** The checksum the history records. */
  readonly oldChecksum: string;
  /** The checksum of up.sql as it is now. */
  readonly newChecksum: string;
  readonly difference: ChecksumDifference;
}

/**
 * The rows of a version recorded more than once, as a history table without a PRIMARY KEY allows: a repair keeps the
 * oldest and removes the others.
 *
 * @example
 * ```ts
 * const { kept, removed } = plan.duplicates[0]; // kept: 001 applied first; removed: [0001 applied later]
 * ```
 */
export interface DuplicateRows {
  readonly kept: AppliedMigration;
  readonly removed: readonly AppliedMigration[];
}

/** What a repair would change, and what it leaves alone. */
export interface RepairPlan {
  /** History rows whose checksum is to be re-recorded, in history order. */
  readonly changes: readonly ChecksumChange[];
  /** Without a version: applied migrations whose up.sql was edited, which only a repair naming them re-records. */
  readonly skipped: readonly ChecksumChange[];
  /** Versions recorded in more than one row (with a version, only its own), in history order. */
  readonly duplicates: readonly DuplicateRows[];
}

/** What `repair` did, or in a dry run would do. */
export interface RepairReport extends RepairPlan {
  /** True unless the repair was applied. */
  readonly dryRun: boolean;
}

/**
 * Decides which recorded checksums to re-record, and which duplicate rows to remove. With `version`, that migration's
 * checksum, whatever the difference (an edit the user vouches for), and any rows that repeat it. Without, every row
 * whose only difference is line endings or a byte-order mark, and every row that repeats a version. Rows match
 * migrations by version number, and checksums match without regard to case. Throws `UNKNOWN_VERSION` for a version
 * no valid migration has (or the problems of its folder) and `NOT_APPLIED` for one the history does not record.
 * Decides only; nothing is written.
 *
 * @example
 * ```ts
 * const { changes } = planRepair(checkSet(set), await history.list()); // rows written with CRLF by an older tool
 * ```
 */
export function planRepair(checked: CheckedSet, applied: readonly AppliedMigration[], version?: string): RepairPlan {
  const recorded = recordedVersions(checked.byVersion, applied);
  if (version !== undefined) {
    const migration = findTarget(checked, version);
    const entry = recorded.find((r) => r.migration === migration);
    if (entry === undefined) {
      throw new StrataError(
        'NOT_APPLIED',
        `migration ${migration.folder} is not applied, so it has no recorded checksum to repair; migrate applies it`,
        { version: migration.version },
      );
    }
    const changes = sameChecksum(entry.row.checksum, migration.checksum) ? [] : [changeOf(migration, entry.row)];
    return { changes, skipped: [], duplicates: duplicatesOf([entry]) };
  }
  const changes: ChecksumChange[] = [];
  const skipped: ChecksumChange[] = [];
  for (const { row, migration } of recorded) {
    if (migration === undefined || sameChecksum(migration.checksum, row.checksum)) continue;
    const change = changeOf(migration, row);
    (change.difference === 'line-endings' ? changes : skipped).push(change);
  }
  return { changes, skipped, duplicates: duplicatesOf(recorded) };
}

function duplicatesOf(recorded: readonly RecordedVersion[]): DuplicateRows[] {
  return recorded.filter((r) => r.duplicates.length > 0).map((r) => ({ kept: r.row, removed: r.duplicates }));
}

/**
 * The valid migration with `version`. When there is none but the folder of that version has problems, those are
 * thrown instead, since "no migration has version 002" would hide why.
 */
export function findTarget(checked: CheckedSet, version: string): Migration {
  try {
    return findVersion(checked.order, version);
  } catch (error) {
    const wanted = /^\d+$/.test(version) ? versionKey(version) : undefined;
    const own = checked.problems.filter(
      (p) => wanted !== undefined && p.version !== undefined && versionKey(p.version) === wanted,
    );
    throw own.length > 0 ? new ValidationError(own) : error;
  }
}

function changeOf(migration: Migration, row: AppliedMigration): ChecksumChange {
  const difference = isLegacyChecksum(migration.up, row.checksum) ? 'line-endings' : 'edited';
  return {
    version: migration.version,
    name: migration.name,
    folder: migration.folder,
    oldChecksum: row.checksum,
    newChecksum: migration.checksum,
    difference,
  };
}
