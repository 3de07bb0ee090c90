// The CLI on an rqlite node: `--driver rqlite --db http://…` migrates through atomic batches and prints the status.
import type { Driver } from '@strata/core';
import { createRqliteDriver } from '@strata/driver-rqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Cluster, startCluster } from '../../driver-rqlite/test/support/cluster.js';
import { sandbox, THREE, writeMigrations } from './support/cli.js';
import { serverDatabaseTests } from './support/server-database.js';

let cluster: Cluster;
let connection: Driver;
beforeAll(async () => {
  cluster = await startCluster();
  connection = createRqliteDriver({ url: cluster.url });
}, 30_000);
afterAll(async () => {
  await connection?.close();
  await cluster?.stop();
});

describe('--driver rqlite', () => {
  it('migrates a node, prints its status, and rolls back', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', 'rqlite', '--db', cluster.url, ...args]);

    const migrated = run('migrate');
    expect(migrated).toMatchObject({ code: 0, stderr: '' });
    expect(migrated.stdout).toContain('Applied 3 migrations');

    const driver = createRqliteDriver({ url: cluster.url });
    const history = await driver.query<{ version: string; name: string; applied_at: string }>(
      'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
    );
    expect(history.map((row) => row.version)).toEqual(['001', '002', '003']);
    expect(run('status')).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Migration Status:',
        '================',
        '',
        'Applied migrations:',
        ...history.map((row) => `  ✓ ${row.version} - ${row.name} (applied: ${row.applied_at})`),
        '',
        'Pending migrations:',
        '  (none)',
        '',
      ].join('\n'),
    });
    expect(history[0]?.applied_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);

    expect(run('rollback', '003')).toMatchObject({ code: 0 });
    const json = JSON.parse(run('status', '--json').stdout) as { applied: { version: string }[]; pending: { version: string }[] };
    expect([json.applied.map((m) => m.version), json.pending.map((m) => m.version)]).toEqual([['001', '002'], ['003']]);
    expect(await driver.query("SELECT name FROM sqlite_master WHERE name = 'idx_users_email'")).toEqual([]);
    await driver.close();
  }, 30_000);

  it('needs a --db URL, and refuses the commands of a database file', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['--driver', 'rqlite', 'status'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining("--driver rqlite needs --db with the server's URL"),
    });
  });
});

describe('--driver rqlite, every command on a node named by URL', () => {
  serverDatabaseTests({
    driver: 'rqlite',
    url: () => cluster.url,
    urlWithSecret: () => cluster.url.replace('http://', 'http://bob:secret@'),
    connection: () => connection,
    replays: false,
  });
});
