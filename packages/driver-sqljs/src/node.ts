import { randomBytes } from 'node:crypto';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { createSqlJsDriver, type SqlJsDriver, type SqlJsDriverOptions, type SqlJsStorage } from './index.js';
import type { SqlJsDatabase } from './sqljs.js';

/**
 * Stores a sql.js database in a file. A save writes a temporary file in the same folder, flushes it to disk and
 * renames it over the target, so a crash leaves either the old file or the new one, never a mix. The folder must
 * exist; a file missing on load means a new database.
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
        if (errorCode(error) === 'ENOENT') return undefined;
        throw error;
      }
    },
    async save(bytes) {
      const folder = dirname(path);
      const temporary = join(folder, `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
      // The rename replaces the file with the temporary one, so carry over a mode such as 0600 chosen for it.
      const mode = (await stat(path).catch(() => undefined))?.mode;
      try {
        const file = await open(temporary, 'wx');
        try {
          if (mode !== undefined) await file.chmod(mode & 0o7777);
          await file.writeFile(bytes);
          await file.sync();
        } finally {
          await file.close();
        }
        await rename(temporary, path);
      } catch (error) {
        await rm(temporary, { force: true });
        throw error;
      }
      await syncFolder(folder);
    },
  };
}

/**
 * Opens a sql.js database kept in a file: {@link createSqlJsDriver} with {@link fileStorage}.
 *
 * @example
 * ```ts
 * const driver = await openSqlJsFile('data/app.db');
 * await new MigrationManager({ driver, ... }).migrate(); // persists to data/app.db
 * await driver.close();
 * ```
 */
export function openSqlJsFile<D extends SqlJsDatabase = SqlJsDatabase>(
  path: string,
  options: Omit<SqlJsDriverOptions<D>, 'storage'> = {},
): Promise<SqlJsDriver<D>> {
  return createSqlJsDriver({ ...options, storage: fileStorage(path) });
}

// Makes the rename itself durable. Windows cannot open a folder and some file systems refuse to flush one; there
// the rename is as durable as the platform allows.
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP'].includes(errorCode(error) ?? '')) throw error;
  }
}

function errorCode(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
