import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { errorCodeOf } from './atomic-file.js';

/**
 * Creates `folder` and the folders above it that are missing, as `mkdir -p` does, one level at a time; returns the
 * first one it created (the one nearest the root), or undefined when `folder` existed. Throws the file system's error
 * for the first level that cannot be created. Node's own recursive `mkdir` never returns under a folder that refuses
 * new entries with ENOENT, such as /proc, so it is not used.
 *
 * @example
 * ```ts
 * makeFolders('data/backups'); // '/srv/app/data', which now exists with backups in it
 * ```
 */
export function makeFolders(folder: string): string | undefined {
  const missing: string[] = [];
  for (let level = resolve(folder); statSync(level, { throwIfNoEntry: false }) === undefined; level = dirname(level)) {
    missing.unshift(level);
    if (dirname(level) === level) break;
  }
  // A file where the folder should be: mkdir names it as it would have.
  if (missing.length === 0 && !statSync(folder).isDirectory()) mkdirSync(folder);
  for (const level of missing) {
    try {
      mkdirSync(level);
    } catch (error) {
      // Another process may have made it meanwhile; anything else in its place is the error.
      if (errorCodeOf(error) !== 'EEXIST' || !statSync(level).isDirectory()) throw error;
    }
  }
  return missing[0];
}
