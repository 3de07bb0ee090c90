// Measures, inside one process, what an application pays at start-up for a migrate() that finds nothing to do, with
// its migrations compiled in as a module `strata bundle` wrote: importing the module (parsing its text), then
// `new MigrationManager({ driver, migrations })` and `migrate()`. Opening the database happens before the clock
// starts (the application's connection). `<bundle>` is a module of either format: the older map of files (parsed and
// hashed as a Node application's start-up does, `loadMigrationSource`) or the precomputed one (taken as it is).
// Prints `{ ms, importMs }` as JSON: the whole, and the part of it that importing the module took.
import { pathToFileURL } from 'node:url';
import { MigrationManager } from '@strata/core';
import { loadMigrationSource, type MigrationSource } from '@strata/core/node';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';

const [bundle, db] = process.argv.slice(2) as [string, string];
const driver = createBetterSqlite3Driver({ filename: db });
const started = performance.now();
const module = (await import(pathToFileURL(bundle).href)) as { default: Exclude<MigrationSource, string> };
const imported = performance.now();
const migrations = await loadMigrationSource(module.default);
const manager = new MigrationManager({ driver, migrations });
const report = await manager.migrate();
const ms = performance.now() - started;
await driver.close();
if (report.steps.length > 0) throw new Error(`expected nothing to do, but ${report.steps.length} migrations ran`);
process.stdout.write(`${JSON.stringify({ ms, importMs: imported - started })}\n`);
