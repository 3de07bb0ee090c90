import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { PrecomputedMigration } from '../parse/precomputed.js';
import { isPrecomputedMigrations, PRECOMPUTED_FORMAT_VERSION } from '../parse/precomputed.js';
import { errorCodeOf } from './atomic-file.js';
import { buildBundle, bundleData, bundleLanguageOf } from './bundle.js';

/**
 * What {@link checkMigrationsBundle} found. `current` when the file is byte for byte what `strata bundle` writes from
 * the folder now; otherwise `stale` says why: `missing` (no such file), `format` (written in another format: the older
 * map of files, another format version, or not a bundle; `format` names it), `migrations` (`added`, `removed` and
 * `changed` list the versions), or `layout` (the same migrations, written otherwise: another order, header or
 * language).
 */
export interface BundleCheck {
  /** The absolute path of the bundle. */
  readonly file: string;
  readonly current: boolean;
  readonly stale?: 'missing' | 'format' | 'migrations' | 'layout';
  /** With `stale: 'format'`: what the file is (`file map`, `format 2`, `not a bundle`). */
  readonly format?: string;
  /** Versions in the folder that the file does not hold. */
  readonly added: readonly string[];
  /** Versions the file holds that the folder no longer has. */
  readonly removed: readonly string[];
  /** Versions in both whose name, checksum, meta, up.sql or down.sql differ. */
  readonly changed: readonly string[];
}

/**
 * Whether the bundle `file` is exactly what {@link writeMigrationsBundle} would write from `dir` now, and if not,
 * what differs: for CI, so that a migration added or edited without writing the bundle again is caught. `file`'s
 * extension names the language as for writing (`INVALID_OPTION` otherwise); a folder with problems is a
 * `ValidationError`, as for writing.
 *
 * @example
 * ```ts
 * const { current, added, changed } = await checkMigrationsBundle('migrations', 'src/migrations.bundle.js');
 * ```
 */
export async function checkMigrationsBundle(dir: string, file: string): Promise<BundleCheck> {
  const path = resolve(file);
  const language = bundleLanguageOf(path);
  const fresh = await buildBundle(dir, { language });
  const none = { added: [], removed: [], changed: [] };
  let written: string;
  try {
    written = await readFile(path, 'utf8');
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return { file: path, current: false, stale: 'missing', ...none };
    throw error;
  }
  if (written === fresh.source) return { file: path, current: true, ...none };
  const data = bundleData(written);
  if (data === undefined || typeof data !== 'object' || data === null || !isPrecomputedMigrations(data)) {
    const format = /^const migrations(: [^=]*)? = Object\.freeze\(\{/m.test(written) ? 'file map' : 'not a bundle';
    return { file: path, current: false, stale: 'format', format, ...none };
  }
  if (data.formatVersion !== PRECOMPUTED_FORMAT_VERSION || !Array.isArray(data.migrations)) {
    return { file: path, current: false, stale: 'format', format: `format ${String(data.formatVersion)}`, ...none };
  }
  const before = recordsByVersion(data.migrations);
  const now = recordsByVersion(fresh.bundle.migrations);
  const added = [...now.keys()].filter((v) => !before.has(v));
  const removed = [...before.keys()].filter((v) => !now.has(v));
  const changed = [...now].filter(([v, text]) => before.has(v) && before.get(v) !== text).map(([v]) => v);
  const stale = added.length + removed.length + changed.length > 0 ? 'migrations' : 'layout';
  return { file: path, current: false, stale, added, removed, changed };
}

/** Each migration's record as JSON, by version. */
function recordsByVersion(migrations: readonly PrecomputedMigration[]): Map<string, string> {
  return new Map(migrations.map((m) => [String(m.version), JSON.stringify(m)]));
}
