import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ANSI, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';
import { inProcess } from './support/in-process.js';

describe('colour', () => {
  it('is off when the output is not a terminal, whatever the command', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const outputs = [
      box.run(['migrate', '--db', 'app.db']),
      box.run(['status', '--db', 'app.db']),
      box.run(['rollback:001', '--db', 'app.db']),
      box.run(['frobnicate']),
      box.run(['--help']),
    ];
    for (const { stdout, stderr } of outputs) {
      expect(stdout).not.toMatch(ANSI);
      expect(stderr).not.toMatch(ANSI);
    }
  });

  it('is on for a terminal, off with NO_COLOR, and never in --json', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const tty = await inProcess(['migrate', '--db', 'app.db'], box.cwd, {});
    expect(tty.code).toBe(0);
    expect(tty.stdout).toContain('\u001b[32m✓\u001b[39m 001 create_users');

    const status = await inProcess(['status', '--db', 'app.db'], box.cwd, { NO_COLOR: '1' });
    expect(status.stdout).toContain('  ✓ 001 - create_users (applied: ');
    expect(status.stdout).not.toMatch(ANSI);

    const json = await inProcess(['status', '--db', 'app.db', '--json'], box.cwd, { FORCE_COLOR: '1' });
    expect(json.stdout).not.toMatch(ANSI);
    expect(JSON.parse(json.stdout).applied).toHaveLength(3);
  });

  it('can be forced with FORCE_COLOR, but NO_COLOR wins', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['status', '--db', 'app.db'], { FORCE_COLOR: '1' }).stdout).toContain('\u001b[33m○\u001b[39m 001');
    expect(box.run(['status', '--db', 'app.db'], { FORCE_COLOR: '1', NO_COLOR: '1' }).stdout).not.toMatch(ANSI);
    expect(box.run(['status', '--db', 'app.db'], { NO_COLOR: '', FORCE_COLOR: '0' }).stdout).not.toMatch(ANSI);
  });
});

describe('--json', () => {
  it('prints exactly one JSON document on stdout for a run and for an error', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = box.run(['migrate', '--json', '--db', 'app.db']);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    const report = JSON.parse(run.stdout);
    expect(report).toMatchObject({ direction: 'up', dryRun: false });
    expect(report.steps.map((s: { status: string }) => s.status)).toEqual(['applied', 'applied', 'applied']);

    const dry = JSON.parse(box.run(['rollback:003', '--dry-run', '--json', '--db', 'app.db']).stdout);
    expect(dry.steps).toEqual([
      {
        version: '003',
        name: 'index_emails',
        folder: '003_index_emails',
        status: 'planned',
        sql: 'DROP INDEX idx_users_email;\n',
      },
    ]);

    const failed = box.run(['migrate', '--json', '--dir', 'nowhere']);
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({
      error: { code: 'INVALID_OPTION', message: expect.stringContaining('nowhere'), file: expect.any(String) },
      database: { file: box.defaultDb, driver: 'better-sqlite3', exists: false, table: 'schema_migrations' },
      migrationsDir: box.path('nowhere'),
    });
  });
});

describe('database options', () => {
  it('uses app.db in the XDG data folder without --db, creating the folder only when migrating', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    expect(box.run(['status']).code).toBe(0);
    expect(box.run(['validate']).code).toBe(0);
    expect(existsSync(dirname(box.defaultDb))).toBe(false);

    expect(box.run(['migrate']).code).toBe(0);
    expect(existsSync(box.defaultDb)).toBe(true);
    expect(inspectDb(box.defaultDb).history).toHaveLength(3);
    expect(box.run(['status']).stdout).toContain('  ✓ 003 - index_emails');
  });

  it.each(['better-sqlite3', 'sqljs'])('keeps the history in the table named by --table (--driver %s)', (driver) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--db', 'app.db', '--table', 'strata_history', '--driver', driver, ...args]);
    expect(run('migrate').code).toBe(0);
    const { objects, history } = inspectDb(box.path('app.db'), 'strata_history');
    expect(objects).toContain('strata_history');
    expect(objects).not.toContain('schema_migrations');
    expect(history).toHaveLength(3);
    expect(run('status').stdout).toContain('  ✓ 001 - create_users');
    expect(box.run(['status', '--db', 'app.db']).stdout).toContain('  ○ 001 - create_users');
    expect(run('rollback:003').code).toBe(0);
    expect(inspectDb(box.path('app.db'), 'strata_history').history).toHaveLength(2);
  });

  it('refuses a --table that is not a plain identifier: a usage error', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['status', '--db', 'app.db', '--table', 'x; DROP TABLE users']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^error: --table: history table name "x; DROP TABLE users" is not a plain identifier/);
  });

  it.each(['better-sqlite3', 'sqljs'])(
    'reports a file that is not a database clearly, without a stack trace (--driver %s)',
    (driver) => {
      const box = sandbox();
      writeMigrations(box.path('migrations'), THREE);
      writeFileSync(box.path('notes.db'), 'These are my notes, not a database. '.repeat(40));
      for (const command of ['status', 'migrate', 'validate']) {
        const result = box.run([command, '--db', 'notes.db', '--driver', driver]);
        expect(result.code).toBe(1);
        expect(result.stderr).toMatch(/^error DATABASE_ERROR: database .*notes\.db: file is not a database/);
        expect(result.stderr).not.toMatch(/\n\s+at /);
      }
      const debug = box.run(['status', '--db', 'notes.db', '--driver', driver], { DEBUG: 'strata' });
      expect(debug.stderr).toMatch(/\n\s+at /);
    },
  );

  it('resolves --dir and --db against the working folder', () => {
    const box = sandbox();
    mkdirSync(box.path('db'));
    writeMigrations(box.path('sql', 'schema'), THREE);
    const result = box.run(['migrate', '--dir', 'sql/schema', '--db', 'db/test.db']);
    expect(result.code).toBe(0);
    expect(inspectDb(box.path('db', 'test.db')).history).toHaveLength(3);
  });
});
