// Several clients of one sqld migrating at once, over HTTP and over WebSockets: each migration is applied once in
// all, by whichever client's batch claimed its history row first.
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { MigrationManager, parseMigrationFiles, type RunReport } from '@strata/core';
import { createLibsqlDriver, type LibsqlDriver } from '@strata/driver-libsql';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CONCURRENT_MIGRATIONS } from '../../../test/support/concurrency.js';
import { historyOf, makeTempDir, schemaOf } from '../../../test/support/fixtures.js';
import { type Sqld, startSqld } from './sqld.js';

const VERSIONS = Object.keys(CONCURRENT_MIGRATIONS).map((path) => path.slice(0, 3));
let server: Sqld;
let temp: ReturnType<typeof makeTempDir>;
beforeAll(async () => {
  server = await startSqld();
  temp = makeTempDir('strata-libsql-concurrency-');
});
afterAll(async () => {
  await server.stop();
  temp.remove();
});

it('applies every migration once when four clients, two over HTTP and two over WebSockets, migrate together', async () => {
  const urls = [server.httpUrl, server.wsUrl, server.httpUrl, server.wsUrl];
  const drivers = await Promise.all(urls.map((url) => createLibsqlDriver({ url })));
  const single = await createLibsqlDriver({ url: pathToFileURL(join(temp.path, 'single.db')).href });
  try {
    const migrations = parseMigrationFiles(CONCURRENT_MIGRATIONS);
    const reports: RunReport[] = await Promise.all(
      drivers.map((driver: LibsqlDriver) => new MigrationManager({ driver, migrations }).migrate()),
    );
    const applied = new Map<string, number>();
    for (const report of reports) {
      for (const step of report.steps) {
        expect(['applied', 'skipped']).toContain(step.status);
        if (step.status === 'applied') applied.set(step.version, (applied.get(step.version) ?? 0) + 1);
      }
    }
    expect(Object.fromEntries(applied)).toEqual(Object.fromEntries(VERSIONS.map((v) => [v, 1])));
    const appliers = reports.filter((r) => r.steps.some((s) => s.status === 'applied')).length;
    console.log(`libsql over sqld: ${appliers} of ${drivers.length} clients applied migrations`);

    const [shared] = drivers as [LibsqlDriver];
    await new MigrationManager({ driver: single, migrations }).migrate();
    expect((await historyOf(shared)).map((row) => row.version)).toEqual(VERSIONS);
    expect(await schemaOf(shared)).toEqual(await schemaOf(single));
    const counts =
      'SELECT (SELECT count(*) FROM accounts) AS accounts, (SELECT count(*) FROM events) AS events, (SELECT sum(events) FROM totals) AS totals';
    expect(await shared.query(counts)).toEqual([{ accounts: 30_000, events: 60_000, totals: 60_000 }]);
    for (const driver of drivers) expect((await new MigrationManager({ driver, migrations }).status()).pending).toEqual([]);
  } finally {
    for (const driver of [...drivers, single]) await driver.close();
  }
});
