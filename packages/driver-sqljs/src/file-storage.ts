import { open } from 'node:fs/promises';
import { errorCodeOf, writeFileAtomically } from '@strata/core/node';
import type { SqlJsStorage } from './index.js';

/**
 * Which version of a file this is: a save replaces the file by renaming a new one over it, so every save gives it a
 * new inode, and size and modification time tell apart the rare inode that is reused.
 */
export type FileIdentity = string;

/** A file's bytes, and the identity of the version they were read from. */
export interface FileContents {
  readonly bytes: Uint8Array;
  readonly identity: FileIdentity;
}

/** A {@link SqlJsStorage} on a file, which also tells which version of the file it read. */
export interface FileStorage extends SqlJsStorage {
  /** The file's bytes and identity, read through one handle so they belong together; undefined when it is missing. */
  read(): Promise<FileContents | undefined>;
  /** The identity of the file as it is now; undefined when it is missing. */
  identity(): Promise<FileIdentity | undefined>;
  holds(bytes: Uint8Array): Promise<boolean>;
}

const COMPARE_CHUNK = 1 << 20;

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
export function fileStorage(path: string): FileStorage {
  const opened = async () => {
    try {
      return await open(path, 'r');
    } catch (error) {
      if (errorCodeOf(error) === 'ENOENT') return undefined;
      throw error;
    }
  };
  const read = async (): Promise<FileContents | undefined> => {
    const handle = await opened();
    if (handle === undefined) return undefined;
    try {
      const identity = identityOf(await handle.stat({ bigint: true }));
      return { bytes: await handle.readFile(), identity };
    } finally {
      await handle.close();
    }
  };
  return {
    read,
    load: async () => (await read())?.bytes,
    async identity() {
      const handle = await opened();
      if (handle === undefined) return undefined;
      try {
        return identityOf(await handle.stat({ bigint: true }));
      } finally {
        await handle.close();
      }
    },
    // Compared a chunk at a time, so that checking a large database does not hold a second copy of it in memory; a
    // database changed by a commit differs in its header, so the usual answer comes from the first chunk.
    async holds(bytes) {
      const handle = await opened();
      if (handle === undefined) return false;
      try {
        if ((await handle.stat()).size !== bytes.length) return false;
        const chunk = Buffer.allocUnsafe(Math.min(COMPARE_CHUNK, bytes.length));
        let offset = 0;
        while (offset < bytes.length) {
          const { bytesRead } = await handle.read(chunk, 0, Math.min(chunk.length, bytes.length - offset), offset);
          if (bytesRead === 0) return false;
          if (Buffer.compare(chunk.subarray(0, bytesRead), bytes.subarray(offset, offset + bytesRead)) !== 0) return false;
          offset += bytesRead;
        }
        return true;
      } finally {
        await handle.close();
      }
    },
    save: (bytes) => writeFileAtomically(path, bytes),
  };
}

function identityOf(stats: { dev: bigint; ino: bigint; size: bigint; mtimeNs: bigint }): FileIdentity {
  return `${stats.dev}:${stats.ino}:${stats.size}:${stats.mtimeNs}`;
}
