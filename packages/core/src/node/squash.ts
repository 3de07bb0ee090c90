import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { StrataError } from '../errors.js';
import type { SquashPlan } from '../squash/plan.js';
import { errorCodeOf, writeFileAtomically } from './atomic-file.js';

/** Options of {@link writeSquash}. */
export interface WriteSquashOptions {
  /** Remove the folders of the replaced migrations once the squash is written. Default false: they stay. */
  readonly removeReplaced?: boolean;
}

/** What {@link writeSquash} wrote and removed, as paths. */
export interface WriteSquashResult {
  readonly folder: string;
  readonly files: readonly string[];
  readonly removed: readonly string[];
}

/**
 * Writes a squash made by `planSquash` into the migrations folder `dir`: its folder (refused with `SQUASH_REFUSED`,
 * writing nothing, when it exists), meta.yaml first so that a folder left half-written by a crash is an invalid
 * migration rather than one that runs, then up.sql and down.sql, each atomically. With `removeReplaced`, the folders of
 * the replaced migrations (see `SquashPlan.folders`) are removed afterwards; until then every database keeps working with both.
 *
 * @example
 * ```ts
 * const plan = await planSquash(driver, await loadMigrationsFolder('migrations'), '003');
 * await writeSquash('migrations', plan, { removeReplaced: true });
 * ```
 */
export async function writeSquash(dir: string, plan: SquashPlan, options: WriteSquashOptions = {}): Promise<WriteSquashResult> {
  const folder = join(dir, plan.folder);
  try {
    await mkdir(folder);
  } catch (error) {
    const why = errorCodeOf(error) === 'EEXIST' ? 'exists already' : `cannot be made: ${String(error)}`;
    throw new StrataError('SQUASH_REFUSED', `cannot squash: the folder ${plan.folder} ${why}; nothing was written`, {
      version: plan.version,
      file: plan.folder,
      cause: error,
    });
  }
  const files: string[] = [];
  for (const name of ['meta.yaml', 'up.sql', 'down.sql'] as const) {
    const text = plan.files[name];
    if (text === undefined) continue;
    const path = join(folder, name);
    await writeFileAtomically(path, new TextEncoder().encode(text));
    files.push(path);
  }
  const removed: string[] = [];
  if (options.removeReplaced === true) {
    for (const replaced of plan.folders) {
      const path = join(dir, replaced);
      await rm(path, { recursive: true, force: true });
      removed.push(path);
    }
  }
  return { folder, files, removed };
}
