import { normalizeSql } from '../checksum.js';
import { StrataError } from '../errors.js';
import { md5Hex } from '../md5.js';
import type { Migration } from '../migration.js';

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
 * Compares the history with the migrations on disk: an applied migration whose up.sql changed, or one that no longer
 * exists, is a problem. A migration that was applied must stay as it was; a new one is the way to change a schema.
 */
export function checkHistory(
  byVersion: ReadonlyMap<string, Migration>,
  applied: readonly AppliedMigration[],
  ignoreMissing = false,
): StrataError[] {
  const problems: StrataError[] = [];
  for (const row of applied) {
    const migration = byVersion.get(row.version);
    if (migration === undefined) {
      if (!ignoreMissing) {
        problems.push(
          new StrataError(
            'APPLIED_MISSING',
            `migration ${row.version} (${row.name}) is recorded as applied, but no folder ${row.version}_${row.name} exists`,
            { version: row.version },
          ),
        );
      }
    } else if (migration.checksum !== row.checksum) {
      const file = `${migration.folder}/up.sql`;
      const advice = legacyChecksums(migration.up).includes(row.checksum)
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
