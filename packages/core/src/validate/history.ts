import { normalizeSql, sameChecksum } from '../checksum.js';
import { StrataError } from '../errors.js';
import { md5Hex } from '../md5.js';
import { type Migration, migrationFile, VersionSet, versionKey } from '../migration.js';
import { summarize } from '../summary.js';
import { replacedRowProblem, type Squash } from './squash.js';

/** One row of the history table. */
export interface AppliedMigration {
  readonly version: string;
  readonly name: string;
  /** As SQLite stored it: `YYYY-MM-DD HH:MM:SS`, UTC. */
  readonly appliedAt: string;
  readonly checksum: string;
  /** How long the migration took, where the history table records it. */
  readonly durationMs?: number;
}

/**
 * The history rows of one version number, with the migration of that number: how rows are matched to migrations, by
 * number as folders are, so a row `001` is the migration of folder `0001_init`.
 */
export interface RecordedVersion {
  /** The oldest row of the number: the one that counts, and the one a repair keeps. */
  readonly row: AppliedMigration;
  /** Later rows of the same number, which only a table without a PRIMARY KEY can hold; a repair removes them. */
  readonly duplicates: readonly AppliedMigration[];
  /** The migration of this version number, when the set has one. */
  readonly migration: Migration | undefined;
}

/**
 * Groups the history rows by version number, in the order their numbers were first recorded, and matches each group
 * to its migration. `applied` is oldest first, as the history lists it; `byVersion` maps a migration's version as
 * spelled to it (see `checkSet`).
 *
 * @example
 * ```ts
 * const [first] = recordedVersions(checked.byVersion, await history.list()); // { row, duplicates, migration }
 * ```
 */
export function recordedVersions(
  byVersion: ReadonlyMap<string, Migration>,
  applied: readonly AppliedMigration[],
): RecordedVersion[] {
  const groups = new Map<string, { row: AppliedMigration; duplicates: AppliedMigration[] }>();
  for (const row of applied) {
    const key = versionKey(row.version);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, { row, duplicates: [] });
    else group.duplicates.push(row);
  }
  // Rows and folders nearly always spell a version alike; the migrations are keyed by number only when one does not.
  let byNumber: Map<string, Migration> | undefined;
  const migrationOf = (version: string) => {
    const spelled = byVersion.get(version);
    if (spelled !== undefined) return spelled;
    byNumber ??= new Map([...byVersion.values()].map((m) => [versionKey(m.version), m]));
    return byNumber.get(versionKey(version));
  };
  return [...groups.values()].map(({ row, duplicates }) => ({ row, duplicates, migration: migrationOf(row.version) }));
}

/**
 * Compares the history with the migrations on disk: an applied migration whose up.sql changed, or one that no longer
 * exists, is a problem, and so is a version recorded in more than one row. A migration that was applied must stay as
 * it was; a new one is the way to change a schema. `setProblems` are those already found in the set: a version one of
 * them names (a folder left out for a duplicate version or a bad meta.yaml) is there, so it is not also missing. A row
 * of a version a squash stands for is checked against the checksums the squash records (see `replacedRowProblem`).
 */
export function checkHistory(
  byVersion: ReadonlyMap<string, Migration>,
  applied: readonly AppliedMigration[],
  ignoreMissing = false,
  setProblems: readonly StrataError[] = [],
  squashes: readonly Squash[] = [],
): StrataError[] {
  const problems: StrataError[] = [];
  const explained = new VersionSet(setProblems.flatMap((p) => (p.version === undefined ? [] : [p.version])));
  for (const { row, duplicates, migration } of recordedVersions(byVersion, applied)) {
    if (duplicates.length > 0) problems.push(duplicateProblem(row, duplicates, migration));
    const replaced = squashes.length === 0 ? undefined : replacedRowProblem(row, migration, squashes);
    if (replaced?.judged === true) {
      if (replaced.problem !== undefined) problems.push(replaced.problem);
    } else if (migration === undefined) {
      if (!ignoreMissing && !explained.has(row.version)) {
        problems.push(
          new StrataError(
            'APPLIED_MISSING',
            `migration ${row.version} (${row.name}) is recorded as applied, but no folder ${row.version}_${row.name} exists; if it was deleted on purpose, forget ${row.version} --yes removes its history row, and migrate --ignore-missing runs without removing it`,
            { version: row.version },
          ),
        );
      }
    } else if (!sameChecksum(migration.checksum, row.checksum)) {
      const file = migrationFile(migration, 'up.sql');
      const advice = isLegacyChecksum(migration.up, row.checksum)
        ? 'the recorded one is of the same text with other line endings or a byte-order mark, as older tools hashed it; repair re-records it'
        : 'applied migrations must not be edited, write a new migration instead (or, if the database already has the edit, repair re-records the checksum)';
      problems.push(
        new StrataError(
          'CHECKSUM_MISMATCH',
          `migration ${row.version} (${file}) was applied with checksum ${row.checksum} but the file now has ${migration.checksum}; ${advice}`,
          { version: row.version, file },
        ),
      );
    }
  }
  return problems;
}

function duplicateProblem(
  row: AppliedMigration,
  duplicates: readonly AppliedMigration[],
  migration: Migration | undefined,
): StrataError {
  const version = migration?.version ?? row.version;
  const rows = summarize([row, ...duplicates].map((r) => `${r.version} applied ${r.appliedAt}`));
  return new StrataError(
    'DUPLICATE_HISTORY',
    `the history records migration ${version} (${migration?.name ?? row.name}) in ${duplicates.length + 1} rows: ${rows}; repair keeps the oldest and removes the others`,
    { version },
  );
}

/**
 * Whether `checksum` is one an older tool recorded for this up.sql, of its text with other line endings or a
 * byte-order mark (see {@link legacyChecksums}).
 */
export function isLegacyChecksum(up: string, checksum: string): boolean {
  return legacyChecksums(up).some((candidate) => sameChecksum(candidate, checksum));
}

/**
 * The checksums other tools may have recorded for this up.sql: MD5 of its text with and without a byte-order mark,
 * with its line endings as they are, folded to LF, or written as CRLF.
 *
 * @example
 * ```ts
 * const candidates = legacyChecksums('SELECT 1;\n'); // also the MD5 of 'SELECT 1;\r\n' and of '\ufeffSELECT 1;\n'
 * ```
 */
export function legacyChecksums(up: string): string[] {
  const body = up.charCodeAt(0) === 0xfeff ? up.slice(1) : up;
  const folded = normalizeSql(up);
  const texts = [body, folded, folded.replace(/\n/g, '\r\n')].flatMap((text) => [text, `\ufeff${text}`]);
  return [...new Set(texts.map(md5Hex))];
}
