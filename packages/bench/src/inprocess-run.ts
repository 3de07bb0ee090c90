// Measures, inside one process, what an application pays at start-up for a migrate() that finds nothing to do: from
// disk (reading and checking the folder, then migrate()), or from migrations already in memory (a bundled map, as
// `migrate bundle` writes it); or, for reference, only reading the folder's files. Module loading and opening the
// database happen before the clock starts: the one is Node's and the application's own cost, the other the
// application's connection. Prints the milliseconds as JSON.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Driver, MigrationManager } from '@strata/core';
import { loadMigrationSource, loadMigrationsFolder, readMigrationsFolder } from '@strata/core/node';

const [driverName, source, dir, db] = process.argv.slice(2) as [string, string, string, string];

async function open(): Promise<Driver> {
  if (driverName === 'sqljs') return (await import('@strata/driver-sqljs/node')).openSqlJsFile(db);
  return (await import('@strata/driver-better-sqlite3')).createBetterSqlite3Driver({ filename: db });
}

/** Only reads every file of every migration folder: the least that checking them at start-up can cost. */
function readOnly(): number {
  let bytes = 0;
  for (const folder of readdirSync(dir)) {
    for (const file of readdirSync(join(dir, folder))) bytes += readFileSync(join(dir, folder, file)).length;
  }
  return bytes;
}

if (source === 'read') {
  const started = performance.now();
  if (readOnly() === 0) throw new Error(`${dir} holds no files`);
  process.stdout.write(`${JSON.stringify({ ms: performance.now() - started })}\n`);
  process.exit(0);
}

const driver = await open();
const files = source === 'memory' ? await readMigrationsFolder(dir) : undefined;
const started = performance.now();
// A map is read as a Node application's start-up reads one (DatabaseManager does the same), with native checksums.
const migrations = files === undefined ? await loadMigrationsFolder(dir) : await loadMigrationSource(files);
const manager = new MigrationManager({ driver, migrations });
const report = await manager.migrate();
const ms = performance.now() - started;
await driver.close();
if (report.steps.length > 0) throw new Error(`expected nothing to do, but ${report.steps.length} migrations ran`);
process.stdout.write(`${JSON.stringify({ ms })}\n`);
