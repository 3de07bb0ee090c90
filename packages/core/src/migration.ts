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

/** Compares two versions by number, then by spelling so the order is total. */
export function compareVersions(a: string, b: string): number {
  const na = versionNumber(a);
  const nb = versionNumber(b);
  if (na !== nb) return na < nb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
