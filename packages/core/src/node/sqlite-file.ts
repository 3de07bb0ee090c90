import { closeSync, openSync, readSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { StrataError } from '../errors.js';
import { errorCodeOf } from './atomic-file.js';

// Every SQLite database file starts with these 16 bytes; see "Database File Format", section 1.3.
const MAGIC = 'SQLite format 3\0';

/**
 * Throws `DATABASE_ERROR` naming `file` unless it exists and starts with SQLite's header, so a wrong path or a file
 * of another kind is refused before any driver opens (or, for some drivers, creates) it.
 *
 * @example
 * ```ts
 * await assertSqliteFile('backups/app.20250115T103000123Z.v003.sqlite');
 * ```
 */
export async function assertSqliteFile(file: string): Promise<void> {
  let header: string;
  try {
    const handle = await open(file, 'r');
    try {
      const bytes = new Uint8Array(MAGIC.length);
      const { bytesRead } = await handle.read(bytes, 0, bytes.length, 0);
      header = Buffer.from(bytes.subarray(0, bytesRead)).toString('latin1');
    } finally {
      await handle.close();
    }
  } catch (error) {
    const code = errorCodeOf(error);
    const reason =
      code === 'ENOENT'
        ? 'does not exist'
        : code === 'EISDIR'
          ? 'is a folder, not a SQLite database file: name a file in it'
          : `cannot be read (${String(error)})`;
    throw new StrataError('DATABASE_ERROR', `${file} ${reason}`, { file, cause: error });
  }
  if (header !== MAGIC) {
    throw new StrataError('DATABASE_ERROR', `${file} is not a SQLite database: it does not start with "SQLite format 3"`, {
      file,
    });
  }
}

/**
 * The size on disk of a database file and of its write-ahead log.
 *
 * @example
 * ```ts
 * const sizes: DatabaseFileStats = { path: '/srv/data/app.db', sizeBytes: 4_194_304, walSizeBytes: 32_992 };
 * ```
 */
export interface DatabaseFileStats {
  readonly path: string;
  /** The main file; 0 while it does not exist. */
  readonly sizeBytes: number;
  /** The `-wal` file, which holds commits not yet copied into the main file; 0 when there is none. */
  readonly walSizeBytes: number;
}

/**
 * Sizes of `path` and `path-wal`, from the file system.
 *
 * @example
 * ```ts
 * const { sizeBytes, walSizeBytes } = await databaseFileStats('data/app.db');
 * ```
 */
export async function databaseFileStats(path: string): Promise<DatabaseFileStats> {
  const sizeOf = async (file: string) => (await stat(file).catch(() => undefined))?.size ?? 0;
  const [sizeBytes, walSizeBytes] = await Promise.all([sizeOf(path), sizeOf(`${path}-wal`)]);
  return { path, sizeBytes, walSizeBytes };
}

// Bytes 18 and 19 of the header are the file format's write and read versions: 2 in WAL mode, 1 otherwise.
const WAL_VERSION = 2;

/**
 * Whether the header of the database file at `path` says WAL mode, which SQLite writes there when a connection
 * switches to it and keeps until one switches back; false for a file that is missing, empty or not a database.
 *
 * @example
 * ```ts
 * if (isWalDatabase('data/app.db')) console.log('sql.js cannot share this file');
 * ```
 */
export function isWalDatabase(path: string): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return false;
  }
  try {
    const header = Buffer.alloc(20);
    const read = readSync(fd, header, 0, header.length, 0);
    return read === header.length && (header[18] === WAL_VERSION || header[19] === WAL_VERSION);
  } finally {
    closeSync(fd);
  }
}
