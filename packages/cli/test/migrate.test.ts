import { appendFileSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, REPO_MIGRATIONS, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

/** The status text DESIGN.md specifies, built from the database's own history rows. */
function expectedStatus(
  applied: readonly { version: string; name: string; applied_at: string }[],
  pending: readonly string[],
): string {
  return [
    'Migration Status:',
    '================',
    '',
    'Applied migrations:',
    ...(applied.length === 0 ? ['  (none)'] : applied.map((r) => `  ✓ ${r.version} - ${r.name} (applied: ${r.applied_at})`)),
    '',
    'Pending migrations:',
    ...(pending.length === 0 ? ['  (none)'] : pending.map((p) => `  ○ ${p.replace('_', ' - ')}`)),
    '',
  ].join('\n');
}

describe.each(DRIVERS)('migrate and status (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run, db: box.path('app.db') };
  };

  it('shows everything pending on a database that does not exist yet, and does not create it', () => {
    const { run, db } = setup();
    const result = run('status');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      expectedStatus([], ['001_create_users', '002_create_posts', '003_index_emails']).replace(
        '  (none)',
        '  (none: database app.db does not exist yet; migrate creates it)',
      ),
    );
    expect(existsSync(db)).toBe(false);
  });

  it('applies every migration with a line each and a summary, then status shows them applied', () => {
    const { run, db } = setup();
    const migrated = run('migrate');
    expect(migrated.code).toBe(0);
    expect(migrated.stderr).toBe('');
    expect(migrated.stdout).toMatch(
      /^ {2}✓ 001 create_users {2}\((<1|\d+) ms\)\n {2}✓ 002 create_posts {2}\((<1|\d+) ms\)\n {2}✓ 003 index_emails {2}\((<1|\d+) ms\)\nApplied 3 migrations in (<1|\d+) ms\.\n$/,
    );
    const { objects, history } = inspectDb(db);
    expect(objects).toEqual(expect.arrayContaining(['users', 'posts', 'idx_users_email', 'schema_migrations']));
    expect(history.map((r) => [r.version, r.name])).toEqual([
      ['001', 'create_users'],
      ['002', 'create_posts'],
      ['003', 'index_emails'],
    ]);

    const status = run('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toBe(expectedStatus(history, []));

    expect(run('migrate').stdout).toBe('Nothing to migrate: 3 applied, 0 pending.\n');
  });

  it('prints status --json in the documented shape', () => {
    const { box, run, db } = setup();
    run('migrate', '--to', '002');
    const result = run('status', '--json');
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout);
    const [first, second] = inspectDb(db).history;
    expect(report).toEqual({
      applied: [
        {
          version: '001',
          name: 'create_users',
          appliedAt: first?.applied_at,
          checksum: first?.checksum,
          durationMs: expect.any(Number),
        },
        {
          version: '002',
          name: 'create_posts',
          appliedAt: second?.applied_at,
          checksum: second?.checksum,
          durationMs: expect.any(Number),
        },
      ],
      pending: [{ version: '003', name: 'index_emails' }],
      problems: [],
      drift: [],
      ...whereFields(box, driver),
    });
    expect(first?.checksum).toMatch(/^[0-9a-f]{32}$/);
  });

  it('stops after --to', () => {
    const { run, db } = setup();
    const result = run('migrate', '--to', '002');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Applied 2 migrations');
    expect(inspectDb(db).history.map((r) => r.version)).toEqual(['001', '002']);
    expect(run('migrate', '--to', '2').stdout).toBe('Nothing to migrate: 2 applied, 1 pending.\n');
  });

  it('prints the SQL of a dry run in order and creates no database', () => {
    const { run, db } = setup();
    const result = run('migrate', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '-- 001_create_users/up.sql',
        THREE['001_create_users']?.up.trimEnd(),
        '',
        '-- 002_create_posts/up.sql',
        THREE['002_create_posts']?.up.trimEnd(),
        '',
        '-- 003_index_emails/up.sql',
        THREE['003_index_emails']?.up.trimEnd(),
        '',
        '-- Dry run: 3 migrations would be applied; nothing was changed.',
        '',
      ].join('\n'),
    );
    expect(existsSync(db)).toBe(false);
  });

  it('leaves an existing database byte for byte as it was in a dry run', () => {
    const { run, db } = setup();
    run('migrate', '--to', '001');
    const before = readFileSync(db);
    const result = run('migrate', '--dry-run');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^-- 002_create_posts\/up\.sql\n/);
    expect(result.stdout).not.toContain('001_create_users');
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(inspectDb(db).history).toHaveLength(1);
  });

  it('rolls back a failing migration, keeps the ones before it, and names code, version and file', () => {
    const { box, run, db } = setup();
    writeMigrations(box.path('migrations'), {
      '004_broken': { up: 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\nINSERT INTO no_such_table VALUES (1);\n' },
    });
    const result = run('migrate');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error MIGRATION_FAILED: migration 004 \(broken\) failed.*no such table: no_such_table$/m);
    expect(result.stderr).toContain('  version: 004\n');
    expect(result.stderr).toContain('  file: 004_broken/up.sql\n');
    expect(result.stdout).toContain('  ✗ 004 broken  failed');
    const { objects, history } = inspectDb(db);
    expect(objects).not.toContain('tags');
    expect(history.map((r) => r.version)).toEqual(['001', '002', '003']);
  });

  it('leaves no database file behind when a run that would have created it fails', () => {
    const { box, run, db } = setup();
    writeMigrations(box.path('migrations'), {
      '001_create_users': { up: 'CREATE TABLE users (id INTEGER);\nSELECT * FROM nowhere;\n' },
    });
    expect(run('migrate').code).toBe(1);
    expect(run('migrate', '--to', '042').stderr).toContain('error UNKNOWN_VERSION: no migration has version "042"');
    expect(run('migrate', '--table', 'not an identifier').stderr).toMatch(/^error: --table: history table name/m);
    expect(readdirSync(box.cwd)).toEqual(['migrations']);
    expect(existsSync(db)).toBe(false);
  });

  it('refuses to run, exit 1 with CHECKSUM_MISMATCH, when an applied up.sql was edited', () => {
    const { box, run, db } = setup();
    writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n' } });
    run('migrate', '--to', '003');
    appendFileSync(box.path('migrations', '002_create_posts', 'up.sql'), 'CREATE INDEX idx_posts_user ON posts (user_id);\n');

    const migrate = run('migrate');
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/^error CHECKSUM_MISMATCH: migration 002 /m);
    expect(migrate.stderr).toContain('  version: 002\n  file: 002_create_posts/up.sql\n');
    expect(inspectDb(db).objects).not.toContain('tags');

    const status = run('status');
    expect(status.code).toBe(1);
    expect(status.stdout).toMatch(/\n\nProblems:\n {2}✗ CHECKSUM_MISMATCH: migration 002 \(002_create_posts\/up\.sql\)/);
    expect(status.stderr).toContain('CHECKSUM_MISMATCH (002)');

    const json = run('status', '--json');
    expect(json.code).toBe(1);
    expect(JSON.parse(json.stdout).problems).toEqual([
      { code: 'CHECKSUM_MISMATCH', message: expect.any(String), version: '002', file: '002_create_posts/up.sql' },
    ]);

    const validate = run('validate');
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain('error CHECKSUM_MISMATCH');
  });
});

describe('validate', () => {
  it('says OK on a sound folder and changes nothing', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['validate', '--db', 'app.db']);
    expect(result).toEqual({ code: 0, stdout: 'OK: 3 migrations, no problems.\n', stderr: '' });
    expect(existsSync(box.path('app.db'))).toBe(false);
  });

  it('reports every problem, exit 1, and one JSON document with --json', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), {
      ...THREE,
      '004_bad': { up: 'SELECT 1;\n', meta: 'dependencies: ["009"]\n' },
      '005_Bad-Name': { up: 'SELECT 1;\n' },
    });
    const result = box.run(['validate', '--db', 'app.db']);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error MISSING_DEPENDENCY');
    expect(result.stderr).toContain('error INVALID_MIGRATION');
    expect(result.stderr).toContain('validate: 2 problems found.');

    const json = box.run(['validate', '--db', 'app.db', '--json']);
    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report.problems.map((p: { code: string }) => p.code).sort()).toEqual(['INVALID_MIGRATION', 'MISSING_DEPENDENCY']);

    const migrate = box.run(['migrate', '--db', 'app.db']);
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toMatch(/^error VALIDATION_FAILED: 2 problems found\n/);
    expect(migrate.stderr).toMatch(/^ {2}MISSING_DEPENDENCY: /m);
  });
});

describe.runIf(existsSync(REPO_MIGRATIONS))('the app migrations folder', () => {
  it.each(DRIVERS)('migrates, reports and rolls back everything with --driver %s', (driver) => {
    const box = sandbox();
    const run = (...args: string[]) => box.run(['--dir', REPO_MIGRATIONS, '--db', 'app.db', '--driver', driver, ...args]);
    const folders = readdirSync(REPO_MIGRATIONS)
      .filter((name) => /^\d+_/.test(name))
      .sort();

    const migrated = run('migrate');
    expect(migrated.stderr).toBe('');
    expect(migrated.code).toBe(0);
    expect(migrated.stdout).toContain(`Applied ${folders.length} migrations in`);

    const { history } = inspectDb(box.path('app.db'));
    expect(history.map((r) => `${r.version}_${r.name}`)).toEqual(folders);
    expect(run('status').stdout).toBe(expectedStatus(history, []));
    expect(run('validate').stdout).toBe(`OK: ${folders.length} migrations, no problems.\n`);

    const rolledBack = run('rollback', folders[0]?.slice(0, 3) ?? '', '--cascade');
    expect(rolledBack.code).toBe(0);
    expect(inspectDb(box.path('app.db')).history).toEqual([]);
  });
});
