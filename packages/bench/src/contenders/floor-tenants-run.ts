// The floor for many tenant databases: one process that runs the better-sqlite3 floor (`floorMigrate`) on every
// `*.db` file of a folder in turn, in name order. `<tenants dir> <migrations dir>`.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { floorMigrate } from './floor-better-sqlite3-apply.js';

const [tenants, dir] = process.argv.slice(2) as [string, string];
const folders = readdirSync(dir)
  .filter((name) => /^\d+_/.test(name))
  .sort();
for (const name of readdirSync(tenants).sort()) {
  if (name.endsWith('.db')) floorMigrate(join(tenants, name), dir, folders, 'up');
}
