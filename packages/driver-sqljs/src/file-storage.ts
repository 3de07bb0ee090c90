import { type FileHandle, open, stat } from 'node:fs/promises';
import { StrataError } from '@strata/core';
import { errorCodeOf, kindOf, realPathOf, writeFileAtomically } from '@strata/core/node/files';
import { assertNotInUse, type FileIdentity, identityOf } from './file-guard.js';
import type { SqlJsStorage } from './index.js';

export type { FileIdentity } from './file-guard.js';

/** A file's bytes, and the identity of the version they were read from. */
export interface FileContents {
  readonly bytes: Uint8Array;
  readonly identity: FileIdentity;
}

/**
 * A {@link SqlJsStorage} on a file, which keeps track of the version of the file it last read or wrote, so that it
 * never saves over a version it has not seen.
 */
export interface FileStorage extends SqlJsStorage {
  /** The file written: the path given, with symbolic links resolved. */
  readonly target: string;
  /**
   * The file's bytes and identity, read consistently (the same version before and after the read, with no journal
   * appearing meanwhile) and only when no SQLite connection may hold part of the database elsewhere (see
   * {@link assertNotInUse}); undefined when the file is missing.
   */
  read(): Promise<FileContents | undefined>;
  /** Whether the file is no longer the version last read or saved through this storage. */
  changed(): Promise<boolean>;
  holds(bytes: Uint8Array): Promise<boolean>;
}

const COMPARE_CHUNK = 1 << 20;
// A file that changes under every read is being written: after this many tries, reading it is refused.
const READ_TRIES = 8;
const RETRY_MS = 20;

/**
 * Stores a sql.js database in a file. A save writes a temporary file in the same folder, flushes it to disk and
 * renames it over the target, so a crash leaves either the old file or the new one, never a mix. The folder must
 * exist; a file missing on load means a new database.
 *
 * It refuses (`DATABASE_ERROR`, naming the file and what to do) what sql.js cannot do safely, since it cannot take
 * SQLite's locks: to read a database that SQLite may hold partly elsewhere (a WAL-mode file, a non-empty `-wal`, a
 * hot `-journal`), or one that keeps changing while it is read; to save over a file that changed since this storage
 * read or saved it, that a program has open or locked (where the system tells), that is read-only, or that is not a
 * regular file. A symbolic link is followed: the target is written and the link stays. It takes no lock of its own:
 * `openSqlJsFile` adds Strata's, so that its processes do not overwrite each other.
 *
 * @example
 * ```ts
 * const driver = await createSqlJsDriver({ storage: fileStorage('data/app.db') });
 * ```
 */
export function fileStorage(path: string): FileStorage {
  const target = realPathOf(path);
  // The version last read or saved; undefined before the first, or when there was no file.
  let known: FileIdentity | undefined;

  const read = async (): Promise<FileContents | undefined> => {
    for (let tries = 1; ; tries++) {
      const contents = await readOnce(path, target, tries === READ_TRIES);
      if (contents !== 'changed') {
        known = contents?.identity;
        return contents;
      }
      if (tries >= READ_TRIES) {
        throw new StrataError(
          'DATABASE_ERROR',
          `${path} changed every time it was read (${READ_TRIES} tries): another program is writing it. Stop it, or ` +
            'use the better-sqlite3 driver, which shares the file through SQLite’s locks',
          { file: path },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, RETRY_MS * tries));
    }
  };

  return {
    target,
    read,
    load: async () => (await read())?.bytes,
    changed: async () => (await identityAt(target)) !== known,
    // Compared a chunk at a time, so that checking a large database does not hold a second copy of it in memory; a
    // database changed by a commit differs in its header, so the usual answer comes from the first chunk.
    async holds(bytes) {
      const handle = await opened(target);
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
    async save(bytes) {
      // Checked before writing, and again right before the rename: a program may open the file while a large
      // database is written and flushed.
      const check = async () => {
        if ((await identityAt(target)) !== known) throw changedMeanwhile(path);
        await assertNotInUse(path, target, { holders: true });
      };
      await check();
      let next: FileIdentity | undefined;
      await writeFileAtomically(target, bytes, {
        beforeRename: async (temporary) => {
          await check();
          // The version about to become the file's, taken before the rename: what another program might do to the
          // file after it is then a change.
          next = await identityAt(temporary);
        },
      });
      known = next;
    },
  };
}

/**
 * One read: the contents, undefined for no file, or 'changed' when the file changed while it was read. A journal or
 * log beside it may be a writer's, there for the moment of a commit: only the `last` try refuses on it.
 */
async function readOnce(path: string, target: string, last: boolean): Promise<FileContents | 'changed' | undefined> {
  const inUse = await assertNotInUse(path, target, { holders: false }).then(
    () => false,
    (error: unknown) => {
      if (last) throw error;
      return true;
    },
  );
  if (inUse) return 'changed';
  const handle = await opened(target);
  if (handle === undefined) return undefined;
  try {
    const before = await handle.stat({ bigint: true });
    if (!before.isFile()) {
      throw new StrataError('DATABASE_ERROR', `${path} is ${kindOf(before)}, not a database file`, { file: path });
    }
    const bytes = await handle.readFile();
    const identity = identityOf(before);
    const unchanged = identityOf(await handle.stat({ bigint: true })) === identity && (await identityAt(target)) === identity;
    if (!unchanged) return 'changed';
    // A writer that began meanwhile leaves its journal (or, had it switched the file to WAL, its log) behind; the
    // next try says so if it stays.
    const begun = await assertNotInUse(path, target, { holders: false }).then(
      () => false,
      () => true,
    );
    return begun ? 'changed' : { bytes, identity };
  } finally {
    await handle.close();
  }
}

async function opened(target: string): Promise<FileHandle | undefined> {
  try {
    return await open(target, 'r');
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

async function identityAt(target: string): Promise<FileIdentity | undefined> {
  try {
    return identityOf(await stat(target, { bigint: true }));
  } catch (error) {
    if (errorCodeOf(error) === 'ENOENT') return undefined;
    throw error;
  }
}

function changedMeanwhile(path: string): StrataError {
  return new StrataError(
    'DATABASE_ERROR',
    `${path} was changed by another program since this process read it; nothing was saved, so that what the other ` +
      'program wrote is not lost. Stop that program, or use the better-sqlite3 driver, then run again',
    { file: path },
  );
}
