// Every command of the CLI on a server's database named by URL (--driver libsql with http://, --driver rqlite):
// the same checks for both drivers, each test file starting its one server.
import { writeFileSync } from 'node:fs';
import type { Driver } from '@strata/core';
import { beforeEach, expect, it } from 'vitest';
import { type CliResult, type Sandbox, sandbox, THREE, writeMigrations } from './cli.js';

/** A server for {@link serverDatabaseTests}: its URL, and a connection to look at it and change it by hand. */
export interface ServerUnderTest {
  readonly driver: 'libsql' | 'rqlite';
  /** The database's URL, as --db takes it. */
  url(): string;
  /** The same URL with `user:password@` (rqlite) or `?authToken=` (libsql) that output must hide. */
  urlWithSecret(): string;
  /** A connection of the driver's own, opened once for the file. */
  connection(): Driver;
  /** Whether the driver replays migrations (it has a scratch database); rqlite has none. */
  readonly replays: boolean;
}

const NO_SCRATCH = (driver: string) => `the ${driver} driver has no scratch database (no scratch()) to replay the migrations on`;

/** Drops every table of the server's database, so each test starts from an empty one. */
async function emptyDatabase(db: Driver): Promise<void> {
  const tables = await db.query<{ name: string }>(
    "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
  );
  for (const { name } of tables) await db.run(`DROP TABLE IF EXISTS "${name}"`);
}

/**
 * Defines the tests: stats, backup and restore refused, status and validate (text and JSON), repair and baseline,
 * the URL in the config file and STRATA_DB, runs over many databases refused, and exit codes.
 */
export function serverDatabaseTests(server: ServerUnderTest): void {
  const { driver } = server;
  let box: Sandbox;
  const run = (...args: string[]): CliResult => box.run(['--driver', driver, '--db', server.url(), ...args]);
  const history = () =>
    server
      .connection()
      .query<{ version: string; name: string; applied_at: string }>(
        'SELECT version, name, applied_at FROM schema_migrations ORDER BY version',
      );
  beforeEach(async () => {
    await emptyDatabase(server.connection());
    box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
  });

  it('stats names the URL, with the password hidden, and reports no file but the pages the engine answers', async () => {
    expect(run('migrate')).toMatchObject({ code: 0, stderr: '' });
    const secret = box.run(['--driver', driver, '--db', server.urlWithSecret(), 'stats']);
    expect(secret.stderr).toBe('');
    expect(secret.code).toBe(0);
    const lines = secret.stdout.split('\n');
    const shown = server.urlWithSecret().replace('secret', '***');
    expect(lines[0]).toBe(`Database: ${shown} (${driver})`);
    expect(lines[1]).toBe("  file     none here: a server's database (size from its pages)");
    expect(lines[2]).toMatch(/^ {2}pages {4}[1-9]\d* × \d+ bytes = \d+(\.\d)? (B|KiB|MiB), \d+ free$/);
    expect(secret.stdout).not.toContain('secret');
    expect(secret.stdout).toContain('Migrations: 3 applied, 0 pending');

    const json = box.run(['--driver', driver, '--db', server.urlWithSecret(), '--json', 'stats']);
    expect(json.code).toBe(0);
    expect(json.stdout).not.toContain('secret');
    const stats = JSON.parse(json.stdout) as { file: unknown; pageCount: number; database: { file: string } };
    expect(stats).toMatchObject({ file: null, database: { file: shown, driver, exists: true } });
    expect(stats.pageCount).toBeGreaterThan(0);
  });

  it('refuses backup and restore, a server having no file to copy or replace, with NOT_SUPPORTED and exit 1', () => {
    for (const args of [['backup'], ['restore', 'backup.sqlite']]) {
      const refused = run(...args);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(
        `error NOT_SUPPORTED: ${args[0]} works on a database file, and ${server.url()} (${driver}) is a server's database: use the server's own backups`,
      );
    }
  });

  it('status prints exactly the applied and pending migrations, and nothing of a drift check it cannot make', async () => {
    expect(run('migrate', '--to', '002')).toMatchObject({ code: 0, stderr: '' });
    const rows = await history();
    expect(run('status')).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        'Migration Status:',
        '================',
        '',
        'Applied migrations:',
        ...rows.map((row) => `  ✓ ${row.version} - ${row.name} (applied: ${row.applied_at})`),
        '',
        'Pending migrations:',
        '  ○ 003 - index_emails',
        '',
      ].join('\n'),
    });
    const json = JSON.parse(run('--json', 'status').stdout) as Record<string, unknown>;
    expect(json).toMatchObject({ applied: [{ version: '001' }, { version: '002' }], pending: [{ version: '003' }] });
    if (!server.replays) expect(json).not.toHaveProperty('driftSkipped');
  });

  it('validate runs every check it can, says what it skipped in text and JSON, and exits 0', async () => {
    expect(run('migrate')).toMatchObject({ code: 0 });
    const text = run('validate');
    expect(text.stdout).toBe('OK: 3 migrations, no problems.\n');
    expect(text.stderr).toBe(
      server.replays ? '' : `note: migrations not replayed and drift not checked: ${NO_SCRATCH(driver)}\n`,
    );
    expect(text.code).toBe(0);

    const json = run('--json', 'validate');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as Record<string, unknown>;
    expect(report).toMatchObject({ problems: [], order: [{ version: '001' }, { version: '002' }, { version: '003' }] });
    if (server.replays) {
      expect(report).not.toHaveProperty('replaySkipped');
      expect(report).toMatchObject({ drift: [] });
    } else {
      expect(report).toMatchObject({ replaySkipped: NO_SCRATCH(driver), driftSkipped: NO_SCRATCH(driver) });
    }

    // A check that is only a replay is refused where there is none, rather than answered with nothing.
    const roundTrip = run('validate', '--round-trip');
    if (server.replays) expect(roundTrip).toMatchObject({ code: 0, stdout: expect.stringContaining('OK: 3 migrations') });
    else {
      expect(roundTrip.code).toBe(2);
      expect(roundTrip.stderr).toContain(
        `--round-trip needs the migrations replayed, and ${NO_SCRATCH(driver)}: leave --round-trip out`,
      );
    }
    // What needs no replay is still checked: an edited applied migration is a problem, exit 1.
    writeFileSync(box.path('migrations', '002_create_posts', 'up.sql'), 'CREATE TABLE posts (id INTEGER PRIMARY KEY);\n');
    const edited = run('validate', '--no-replay');
    expect(edited.code).toBe(1);
    expect(edited.stderr).toContain('CHECKSUM_MISMATCH');
  });

  it('repair --yes re-records an edited checksum, and baseline V --yes marks a schema made by hand', async () => {
    expect(run('migrate')).toMatchObject({ code: 0 });
    writeFileSync(
      box.path('migrations', '003_index_emails', 'up.sql'),
      '-- one index on the e-mails\nCREATE UNIQUE INDEX idx_users_email ON users (email);\n',
    );
    const mismatch = run('status');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toContain('status: 1 problem found: CHECKSUM_MISMATCH (003)');
    const repaired = run('repair', '003', '--yes');
    expect(repaired.stderr).toBe('');
    expect(repaired.code).toBe(0);
    expect(run('status')).toMatchObject({ code: 0, stderr: '' });

    await emptyDatabase(server.connection());
    await server.connection().run('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)');
    const baseline = run('baseline', '001', '--yes');
    expect(baseline.stderr).toBe('');
    expect(baseline.code).toBe(0);
    expect((await history()).map((row) => row.version)).toEqual(['001']);
    const rest = run('migrate');
    expect(rest).toMatchObject({ code: 0, stderr: '' });
    expect((await history()).map((row) => row.version)).toEqual(['001', '002', '003']);
  });

  it('takes the URL from db: in the config file and from STRATA_DB, as from --db', () => {
    writeFileSync(box.path('strata.config.yaml'), `driver: ${driver}\ndb: "${server.url()}"\n`);
    const fromConfig = box.run(['migrate']);
    expect(fromConfig).toMatchObject({ code: 0, stderr: '' });
    expect(fromConfig.stdout).toContain('Applied 3 migrations');
    const json = JSON.parse(box.run(['--json', 'status']).stdout) as { database: unknown; pending: unknown[] };
    expect(json).toMatchObject({ pending: [], database: { file: server.url(), driver, exists: true } });

    const viaEnv = sandbox();
    writeMigrations(viaEnv.path('migrations'), THREE);
    expect(viaEnv.run(['--driver', driver, 'status'], { STRATA_DB: server.url() })).toMatchObject({
      code: 0,
      stdout: expect.stringContaining('  ✓ 003 - index_emails'),
    });
  });

  it('refuses a run over several server databases as a usage error, touching none', async () => {
    const refused = box.run(['--driver', driver, '--db', server.url(), '--db', server.url(), 'migrate']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(
      `${server.url()} is a server's database (--driver ${driver}), and --db given several times, as a glob or as @FILE is for database files: run once for each server, with one --db URL`,
    );
    expect(await server.connection().query("SELECT name FROM sqlite_master WHERE name = 'schema_migrations'")).toEqual([]);
  });
}
