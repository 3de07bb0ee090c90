import { readFile } from 'node:fs/promises';
import { errorCodeOf, writeFileAtomically } from '@strata/core/node';
import type { SqlJsStorage } from './index.js';

/**
 * Stores a sql.js database in a file. A save writes a temporary file in the same folder, flushes it to disk and
 * renames it over the target, so a crash leaves either the old file or the new one, never a mix. The folder must
 * exist; a file missing on load means a new database.
 *
 * It takes no lock: `openSqlJsFile` adds one, so that processes sharing the file do not overwrite each other.
 *
 * @example
 * ```ts
 * const driver = await createSqlJsDriver({ storage: fileStorage('data/app.db') });
 * ```
 */
export function fileStorage(path: string): SqlJsStorage {
  return {
    async load() {
      try {
        return await readFile(path);
      } catch (error) {
        if (errorCodeOf(error) === 'ENOENT') return undefined;
        throw error;
      }
    },
    save: (bytes) => writeFileAtomically(path, bytes),
  };
}
