// The Node-side pieces a driver over a database file needs, and nothing else of `@strata/core/node`: Strata's lock
// of a file, who holds a file, how a file is replaced. A driver imports them from `@strata/core/node/files`, so that
// opening a database does not load backups, restores and the rest.
export {
  assertReplaceable,
  errorCodeOf,
  kindOf,
  type ReplaceOptions,
  removeLeftoverFiles,
  replaceFileAtomically,
  temporaryPathBeside,
  writeFileAtomically,
} from './atomic-file.js';
export { createDatabaseFolder } from './database-file.js';
export { type FileExclusive, type FileExclusiveHooks, fileExclusive } from './file-exclusive.js';
export { databaseHolders, describeHolders, type FileHolder, fileHolders } from './file-holders.js';
export { acquireFileLock, type FileLock, type FileLockOptions, lockHolderOf, WAIT_NOTICE_MS } from './file-lock.js';
export { describeProcess, isRunning, type ProcessIdentity, thisProcess } from './processes.js';
export { realPathOf } from './real-path.js';
export { isWalDatabase } from './sqlite-file.js';
