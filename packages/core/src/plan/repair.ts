import { StrataError, ValidationError } from '../errors.js';
import { type Migration, versionNumber } from '../migration.js';
import { type AppliedMigration, legacyChecksums } from '../validate/history.js';
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

/** What a repair would change, and what it leaves alone. */
export interface RepairPlan {
  /** History rows whose checksum is to be re-recorded, in history order. */
  readonly changes: readonly ChecksumChange[];
  /** Without a version: applied migrations whose up.sql was edited, which only a repair naming them re-records. */
  readonly skipped: readonly ChecksumChange[];
}

/** What `repair` did, or in a dry run would do. */
export interface RepairReport extends RepairPlan {
  /** True unless the repair was applied. */
  readonly dryRun: boolean;
}

/**
 * Decides which recorded checksums to re-record. With `version`, that migration's, whatever the difference: an edit
 * the user vouches for. Without, every row whose only difference is line endings or a byte-order mark. Throws
 * `UNKNOWN_VERSION` for a version no valid migration has (or the problems of its folder) and `NOT_APPLIED` for one
 * the history does not record. Decides only; nothing is written.
 *
 * @example
 * ```ts
 * const { changes } = planRepair(checkSet(set), await history.list()); // rows written with CRLF by an older tool
 * ```
 */
export function planRepair(checked: CheckedSet, applied: readonly AppliedMigration[], version?: string): RepairPlan {
  if (version !== undefined) {
    const migration = findTarget(checked, version);
    const row = applied.find((r) => r.version === migration.version);
    if (row === undefined) {
      throw new StrataError(
        'NOT_APPLIED',
        `migration ${migration.folder} is not applied, so it has no recorded checksum to repair; migrate applies it`,
        { version: migration.version },
      );
    }
    return { changes: row.checksum === migration.checksum ? [] : [changeOf(migration, row)], skipped: [] };
  }
  const changes: ChecksumChange[] = [];
  const skipped: ChecksumChange[] = [];
  for (const row of applied) {
    const migration = checked.byVersion.get(row.version);
    if (migration === undefined || migration.checksum === row.checksum) continue;
    const change = changeOf(migration, row);
    (change.difference === 'line-endings' ? changes : skipped).push(change);
  }
  return { changes, skipped };
}

/**
 * The valid migration with `version`. When there is none but the folder of that version has problems, those are
 * thrown instead, since "no migration has version 002" would hide why.
 */
export function findTarget(checked: CheckedSet, version: string): Migration {
  try {
    return findVersion(checked.order, version);
  } catch (error) {
    const wanted = /^\d+$/.test(version) ? versionNumber(version) : undefined;
    const own = checked.problems.filter((p) => wanted !== undefined && sameNumber(p.version, wanted));
    throw own.length > 0 ? new ValidationError(own) : error;
  }
}

function sameNumber(version: string | undefined, wanted: bigint): boolean {
  return version !== undefined && /^\d+$/.test(version) && versionNumber(version) === wanted;
}

function changeOf(migration: Migration, row: AppliedMigration): ChecksumChange {
  const difference = legacyChecksums(migration.up).includes(row.checksum) ? 'line-endings' : 'edited';
  return {
    version: migration.version,
    name: migration.name,
    folder: migration.folder,
    oldChecksum: row.checksum,
    newChecksum: migration.checksum,
    difference,
  };
}
