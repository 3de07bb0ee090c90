// The body of the child processes that the concurrency and crash tests start: each driver package has a three-line
// script that calls runMigrateChild with a way to open its driver. Plain JavaScript, so that it runs on the built
// packages without a compile step.
//
// argv[2] is a JSON object: { db, dir, options?, go?, hold? }. The child loads the migrations in `dir`, prints
// "ready", waits for the file `go` to exist when one is named, opens `db`, prints "start" and migrates; it prints
// "event {...}" for each run event and, at the end, "report {...}" or "error {...}". With `hold`, it takes the
// driver's lock instead, prints "locked", and keeps it until killed. Lines are written synchronously, so a line the
// parent has read is a step the child has reached.
import { existsSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { MigrationManager } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node';

/** @param {(file: string, options: object) => Promise<import('@strata/core').Driver>} open */
export async function runMigrateChild(open) {
  const { db, dir, options = {}, go, hold = false } = JSON.parse(process.argv[2] ?? '{}');
  const say = (line) => writeSync(1, `${line}\n`);
  const migrations = await loadMigrationsFolder(dir);
  say('ready');
  if (go !== undefined) while (!existsSync(go)) await sleep(2);
  const driver = await open(db, options);
  if (hold) {
    // A timer keeps the process alive: the lock's own refresh timer does not.
    setInterval(() => {}, 1000);
    await driver.exclusive(async () => {
      say('locked');
      await new Promise(() => {});
    });
  }
  const onEvent = (event) => {
    const version = event.type === 'finish' ? event.step.version : event.migration.version;
    say(`event ${JSON.stringify({ type: event.type, version, index: event.index })}`);
  };
  const manager = new MigrationManager({ driver, migrations, onEvent });
  say('start');
  try {
    say(`report ${JSON.stringify(await manager.migrate())}`);
  } catch (error) {
    say(`error ${JSON.stringify({ code: error.code, message: error.message })}`);
    process.exitCode = 1;
  } finally {
    await driver.close();
  }
}
