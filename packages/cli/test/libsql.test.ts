// --driver libsql: a sqld server named by URL in --db, migrated and reported on like a file.
import { spawnSync } from 'node:child_process';
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import type { Driver } from '@strata/core';
import { createLibsqlDriver } from '@strata/driver-libsql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sqld, startSqld } from '../../driver-libsql/test/sqld.js';
import { BIN, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';
import { serverDatabaseTests } from './support/server-database.js';

let server: Sqld;
let connection: Driver;
beforeAll(async () => {
  server = await startSqld();
  connection = await createLibsqlDriver({ url: server.httpUrl });
});
afterAll(async () => {
  await connection?.close();
  await server.stop();
});

describe('--driver libsql', () => {
  it('migrates a sqld database named by an http:// URL, and status over ws:// shows it applied', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const pending = box.run(['--driver', 'libsql', '--db', server.httpUrl, 'status']);
    expect(pending).toMatchObject({ code: 0, stderr: '' });
    expect(pending.stdout).toContain(
      'Pending migrations:\n  ○ 001 - create_users\n  ○ 002 - create_posts\n  ○ 003 - index_emails\n',
    );

    // A token in the environment is sent along; this server asks for none.
    const migrated = box.run(['--driver', 'libsql', '--db', server.httpUrl, 'migrate'], { STRATA_AUTH_TOKEN: 'unused' });
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toMatch(/✓ 001 create_users[\s\S]*✓ 002 create_posts[\s\S]*✓ 003 index_emails/);

    const driver = await createLibsqlDriver({ url: server.httpUrl });
    try {
      const history = await driver.query<{ version: string; name: string; applied_at: string }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
      expect(history.map((row) => row.version)).toEqual(['001', '002', '003']);
      const status = box.run(['--driver', 'libsql', '--db', server.wsUrl, 'status']);
      expect(status).toMatchObject({ code: 0, stderr: '' });
      expect(status.stdout).toBe(
        [
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
      );
      expect(await driver.query("SELECT name FROM sqlite_master WHERE name = 'idx_users_email'")).toEqual([
        { name: 'idx_users_email' },
      ]);
    } finally {
      await driver.close();
    }
    const again = box.run(['--driver', 'libsql', '--db', server.httpUrl, '--json', 'migrate']);
    expect(again).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(again.stdout)).toMatchObject({
      steps: [],
      database: { file: server.httpUrl, driver: 'libsql', exists: true, table: 'schema_migrations' },
    });
  });

  it('refuses a URL in --db for a driver over a file, as a usage error', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['--db', server.httpUrl, 'status'])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        `the database ${server.httpUrl} is a URL, which only --driver libsql or rqlite opens; give a file path, or pass --driver libsql or rqlite`,
      ),
    });
  });
});

describe('--driver libsql, every command on a sqld database named by URL', () => {
  serverDatabaseTests({
    driver: 'libsql',
    url: () => server.httpUrl,
    urlWithSecret: () => `${server.httpUrl}?authToken=secret`,
    connection: () => connection,
    replays: true,
  });
});

describe('--driver libsql on a file: URL', () => {
  it('is a file here: stats sizes it, backup copies it, and db: file:… in the config file is relative to its folder', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', 'libsql', '--db', 'file:app.db', ...args]);
    expect(run('migrate')).toMatchObject({ code: 0, stderr: '' });
    const stats = run('stats');
    expect(stats.code).toBe(0);
    expect(stats.stdout.split('\n').slice(0, 2)).toEqual([
      'Database: app.db (libsql)',
      `  file     ${(statSync(box.path('app.db')).size / 1024).toFixed(1)} KiB on disk; WAL 0 B`,
    ]);
    const backup = run('backup', '--out', 'copy.sqlite');
    expect(backup).toMatchObject({ code: 0, stderr: '' });
    expect(backup.stdout).toMatch(/^Backed up app\.db to copy\.sqlite \(\d+\.\d KiB, version 003\)\.\n$/);
    expect(inspectDb(box.path('copy.sqlite')).history.map((row) => row.version)).toEqual(['001', '002', '003']);

    writeFileSync(box.path('strata.config.yaml'), 'driver: libsql\ndb: file:app.db\ndir: migrations\n');
    mkdirSync(box.path('sub'));
    const fromConfig = spawnSync(process.execPath, [BIN, '--json', 'status'], {
      cwd: box.path('sub'),
      env: box.env,
      encoding: 'utf8',
    });
    expect([fromConfig.status, fromConfig.stderr]).toEqual([0, '']);
    expect(JSON.parse(fromConfig.stdout)).toMatchObject({ pending: [], database: { file: box.path('app.db'), exists: true } });
  });
});
