import { randomBytes } from 'node:crypto';
import { open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * A temporary path beside `path`, in the same folder (so a rename onto `path` is atomic) and hidden, with a name no
 * other process or call will pick.
 */
export function temporaryPathBeside(path: string): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
}

/**
 * Replaces `path` with a file made by `fill`, all at once or not at all: `fill` writes a temporary file in the same
 * folder, which is flushed to disk and renamed over `path`, and then the folder is flushed so the rename lasts. A
 * crash leaves the old file or the new one, never a mix; on failure the temporary file is removed. An existing
 * file's mode (say 0600) is kept.
 *
 * @example
 * ```ts
 * await replaceFileAtomically('app.db', (temporary) => writeFile(temporary, bytes));
 * ```
 */
export async function replaceFileAtomically(path: string, fill: (temporary: string) => Promise<void>): Promise<void> {
  const temporary = temporaryPathBeside(path);
  const mode = (await stat(path).catch(() => undefined))?.mode;
  try {
    await fill(temporary);
    const file = await open(temporary, 'r+');
    try {
      if (mode !== undefined) await file.chmod(mode & 0o7777);
      await file.sync();
    } finally {
      await file.close();
    }
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncFolder(dirname(path));
}

/**
 * Writes `bytes` to `path` atomically; see {@link replaceFileAtomically}.
 *
 * @example
 * ```ts
 * await writeFileAtomically('data/app.db', driver.database.export());
 * ```
 */
export function writeFileAtomically(path: string, bytes: Uint8Array): Promise<void> {
  return replaceFileAtomically(path, async (temporary) => {
    const file = await open(temporary, 'wx');
    try {
      await file.writeFile(bytes);
    } finally {
      await file.close();
    }
  });
}

// Makes a rename durable. Windows cannot open a folder and some file systems refuse to flush one; there the rename
// is as durable as the platform allows.
async function syncFolder(folder: string): Promise<void> {
  try {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    if (!['EISDIR', 'EPERM', 'EACCES', 'EINVAL', 'ENOTSUP'].includes(errorCodeOf(error) ?? '')) throw error;
  }
}

/** The `code` of a Node system error (`ENOENT`), if it has one. */
export function errorCodeOf(error: unknown): string | undefined {
  return error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
}
