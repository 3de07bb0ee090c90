export { loadMigrationsFolder, readMigrationsFolder } from './load-folder.js';
