// Measures, inside one process, what an application pays at start-up for a migrate() that finds nothing to do: from
// disk (reading and checking the folder, then migrate()), or from migrations already in memory (a bundled map, as
// `migrate bundle` writes it). Module loading and opening the database happen before the clock starts: the one is
// Node's and the application's own cost, the other the application's connection. Prints the milliseconds as JSON.
import { type Driver, MigrationManager } from '@strata/core';
import { loadMigrationsFolder, readMigrationsFolder } from '@strata/core/node';

const [driverName, source, dir, db] = process.argv.slice(2) as [string, string, string, string];

async function open(): Promise<Driver> {
  if (driverName === 'sqljs') return (await import('@strata/driver-sqljs/node')).openSqlJsFile(db);
  return (await import('@strata/driver-better-sqlite3')).createBetterSqlite3Driver({ filename: db });
}

const driver = await open();
const files = source === 'memory' ? await readMigrationsFolder(dir) : undefined;
const started = performance.now();
const manager = new MigrationManager({ driver, migrations: files ?? (await loadMigrationsFolder(dir)) });
const report = await manager.migrate();
const ms = performance.now() - started;
await driver.close();
if (report.steps.length > 0) throw new Error(`expected nothing to do, but ${report.steps.length} migrations ran`);
process.stdout.write(`${JSON.stringify({ ms })}\n`);
