import type { StrataError } from './errors.js';

/** The settings a migration declares in its meta.yaml. */
export interface MigrationMeta {
  /** A sentence about what the migration does. */
  readonly description?: string;
  /** Versions this migration needs applied first. */
  readonly dependencies: readonly string[];
  /** False for the rare migration that must run outside a transaction. Default true. */
  readonly transaction: boolean;
  /**
   * `false` when meta.yaml says `foreign_keys: off`: the migration runs with foreign-key enforcement turned off around
   * its transaction, and `PRAGMA foreign_key_check` must pass before it commits. This is SQLite's safe way to rebuild
   * a table that other tables reference. Absent otherwise.
   */
  readonly foreignKeys?: false;
  /** When the migration was written, ISO 8601. */
  readonly createdAt?: string;
  /**
   * Set on a squashed migration: the migrations it stands for, each version with the checksum its up.sql had, so
   * the history rows of a database that ran them are still checked exactly once their folders are gone. A version may
   * be listed with more than one checksum (a squash of a squash stands for both forms of the first squash's version).
   * It always lists the squash's own version (see `squashes` in `validate/squash.ts`).
   */
  readonly replaces?: readonly ReplacedMigration[];
  /**
   * The phase meta.yaml declares: `contract` holds back a migration its changes alone would let run in the expand
   * phase; `expand` is checked, and a migration that would break the previous version is a `PHASE_MISMATCH`.
   */
  readonly phase?: 'expand' | 'contract';
}

/** One migration a squashed migration stands for: `meta.yaml` writes it `- 001 <checksum>`. */
export interface ReplacedMigration {
  readonly version: string;
  readonly checksum: string;
}

/** A parsed, well-formed migration. */
export interface Migration {
  /** The leading digits of the folder name, as written (`001`). */
  readonly version: string;
  /** The snake_case part of the folder name (`initial_schema`). */
  readonly name: string;
  /** The folder name (`001_initial_schema`); files are named relative to the migrations folder through it. */
  readonly folder: string;
  readonly up: string;
  readonly down?: string;
  readonly meta: MigrationMeta;
  /** MD5 hex of up.sql, see {@link checksumOf}. */
  readonly checksum: string;
  /** Set for a migration registered in code (`registerMigration`), which has no files; see {@link migrationFile}. */
  readonly definedInCode?: true;
}

/** A file of a migration folder. */
export type MigrationFileName = 'up.sql' | 'down.sql' | 'meta.yaml';

/**
 * How errors name a file of a migration: `001_init/up.sql`, relative to the migrations folder; for a migration
 * registered in code, which has no files, what it was given, such as `004_add_tags (up, defined in code)`.
 *
 * @example
 * ```ts
 * migrationFile({ folder: '004_add_tags', definedInCode: true }, 'up.sql'); // '004_add_tags (up, defined in code)'
 * ```
 */
export function migrationFile(migration: Pick<Migration, 'folder' | 'definedInCode'>, file: MigrationFileName): string {
  if (migration.definedInCode !== true) return `${migration.folder}/${file}`;
  return `${migration.folder} (${file.slice(0, file.indexOf('.'))}, defined in code)`;
}

/**
 * A set of migrations as loaded, with the problems found while loading. Loading never throws on bad input: it
 * collects every problem, so `validate` can report them all at once.
 */
export interface MigrationSet {
  readonly migrations: readonly Migration[];
  readonly problems: readonly StrataError[];
}

/** The numeric value of a version string, for ordering and for matching `1`, `01` and `001`. */
export function versionNumber(version: string): bigint {
  return BigInt(version);
}

/**
 * What makes two versions the same version: a version's digits without leading zeros (`0` for zero), equal for `1`,
 * `01` and `001`, in folders and in the history table alike. It keys a map where a `bigint` would be made, and
 * hashed, for every lookup. A version that is not all digits (a history row another tool wrote) is its own key.
 */
export function versionKey(version: string): string {
  const first = significantFrom(version);
  if (first === 0 || !DIGITS.test(version)) return version;
  return first === version.length ? '0' : version.slice(first);
}

/**
 * Versions matched by number, as {@link versionKey} matches them: what the history records, asked about a folder's
 * version however either is spelled. It remembers the spellings it was given, so that a row stored as `001` can be
 * found, and removed, for a folder named `0001`.
 *
 * @example
 * ```ts
 * const applied = new VersionSet(['001', '002']);
 * applied.has('0001'); // true
 * applied.spellings('1'); // ['001']
 * ```
 */
export class VersionSet {
  private readonly byKey = new Map<string, string[]>();

  constructor(versions: Iterable<string> = []) {
    for (const version of versions) this.add(version);
  }

  /** Whether a version of the same number as `version` is in the set. */
  has(version: string): boolean {
    return this.byKey.has(versionKey(version));
  }

  /** The spellings given for the number of `version`, in the order they were added; empty when it is not in the set. */
  spellings(version: string): readonly string[] {
    return this.byKey.get(versionKey(version)) ?? [];
  }

  add(version: string): void {
    const key = versionKey(version);
    const spellings = this.byKey.get(key);
    if (spellings === undefined) this.byKey.set(key, [version]);
    else if (!spellings.includes(version)) spellings.push(version);
  }

  /** Removes the number of `version`, however it was spelled. */
  delete(version: string): void {
    this.byKey.delete(versionKey(version));
  }
}

/** Compares two versions by number, then by spelling so the order is total. */
export function compareVersions(a: string, b: string): number {
  if (DIGITS.test(a) && DIGITS.test(b)) {
    // Compared as text without making numbers: ordering a thousand migrations compares versions many thousands of
    // times. Of two numbers without leading zeros, the longer is larger; of equal length, the order is the text's.
    const fromA = significantFrom(a);
    const fromB = significantFrom(b);
    const lengthA = a.length - fromA;
    const lengthB = b.length - fromB;
    if (lengthA !== lengthB) return lengthA < lengthB ? -1 : 1;
    for (let i = 0; i < lengthA; i++) {
      const d = a.charCodeAt(fromA + i) - b.charCodeAt(fromB + i);
      if (d !== 0) return d < 0 ? -1 : 1;
    }
  } else {
    const na = versionNumber(a);
    const nb = versionNumber(b);
    if (na !== nb) return na < nb ? -1 : 1;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

const DIGITS = /^\d+$/;

/** The index of the first digit that is not a leading zero; the length when every digit is a zero. */
function significantFrom(version: string): number {
  let i = 0;
  while (i < version.length && version.charCodeAt(i) === 0x30) i++;
  return i;
}
