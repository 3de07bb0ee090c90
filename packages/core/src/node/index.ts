export { errorCodeOf, replaceFileAtomically, temporaryPathBeside, writeFileAtomically } from './atomic-file.js';
export { loadMigrationsFolder, readMigrationsFolder } from './load-folder.js';
