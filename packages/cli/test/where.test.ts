import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { ANSI, sandbox, THREE, writeMigrations } from './support/cli.js';
import { inProcess } from './support/in-process.js';

describe.each(DRIVERS)('which database a command used (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    return { box, run: (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]) };
  };

  it('is the first line on a terminal, dim, on stderr, and stdout keeps the command output alone', async () => {
    const { box } = setup();
    const run = (...args: string[]) => inProcess(['--driver', driver, '--db', 'app.db', ...args], box.cwd, {});
    const first = await run('status');
    const line = `database ${box.path('app.db')} (${driver}, does not exist yet) · migrations ./migrations`;
    expect(first.stderr).toBe(`\u001b[2m${line}\u001b[22m\n`);
    expect(first.stdout.startsWith('Migration Status:\n')).toBe(true);

    expect((await run('migrate')).stderr.split('\n')[0]).toContain(`database ${box.path('app.db')} (${driver}, does not exist`);
    const plain = await inProcess(['--driver', driver, '--db', 'app.db', 'status'], box.cwd, { NO_COLOR: '1' });
    expect(plain.stderr).toBe(`database ${box.path('app.db')} (${driver}) · migrations ./migrations\n`);
    const outside = await inProcess(['--driver', driver, '--db', 'app.db', '--dir', box.root, 'validate'], box.cwd, {
      NO_COLOR: '1',
    });
    expect(outside.stderr.split('\n')[0]).toBe(`database ${box.path('app.db')} (${driver}) · migrations ${box.root}`);
  });

  it('names the config file it read, found in a folder above', async () => {
    const { box } = setup();
    mkdirSync(box.path('src'));
    writeFileSync(box.path('strata.config.json'), JSON.stringify({ db: 'data.db', dir: 'migrations', driver }));
    const result = await inProcess(['validate'], box.path('src'), { NO_COLOR: '1' });
    expect(result.code).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(
      `database ${box.path('data.db')} (${driver}, does not exist yet) · migrations ${box.path('migrations')} · config ${box.path('strata.config.json')}`,
    );
  });

  it('is not printed to a pipe, nor with --json', async () => {
    const { box, run } = setup();
    expect(run('status')).toMatchObject({ code: 0, stderr: '' });
    const json = await inProcess(['--driver', driver, '--db', 'app.db', 'status', '--json'], box.cwd, {});
    expect(json.stderr).toBe('');
    expect(json.stdout).not.toMatch(ANSI);
  });

  it('is in every --json document: database file, driver, whether it exists, history table, migrations folder', () => {
    const { box, run } = setup();
    const where = (exists: boolean) => ({
      database: { file: box.path('app.db'), driver, exists, table: 'schema_migrations' },
      migrationsDir: box.path('migrations'),
    });
    const status = JSON.parse(run('status', '--json').stdout);
    expect(status).toMatchObject({ applied: [], problems: [], ...where(false) });
    expect(status.pending).toHaveLength(3);
    expect(JSON.parse(run('validate', '--json').stdout)).toMatchObject(where(false));
    expect(JSON.parse(run('migrate', '--dry-run', '--json').stdout)).toMatchObject({ dryRun: true, ...where(false) });
    expect(JSON.parse(run('migrate', '--json').stdout)).toMatchObject({ direction: 'up', ...where(true) });
    expect(JSON.parse(run('stats', '--json').stdout)).toMatchObject({ health: { status: 'ok' }, ...where(true) });
    expect(JSON.parse(run('rollback', '003', '--json').stdout)).toMatchObject({ direction: 'down', ...where(true) });
    // An error found once the settings are known says where, too.
    const failed = run('rollback', '009', '--json');
    expect(failed.code).toBe(1);
    expect(JSON.parse(failed.stdout)).toEqual({ error: expect.objectContaining({ code: 'UNKNOWN_VERSION' }), ...where(true) });
  });

  it('status of a database file that does not exist says so, in text and JSON, and does not create it', () => {
    const { box, run } = setup();
    const text = run('status');
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('Applied migrations:\n  (none: database app.db does not exist yet; migrate creates it)\n');
    expect(text.stdout).toContain('Pending migrations:\n  ○ 001 - create_users\n');
    expect(JSON.parse(run('status', '--json').stdout).database.exists).toBe(false);
    expect(existsSync(box.path('app.db'))).toBe(false);

    expect(run('migrate').code).toBe(0);
    expect(run('rollback', '002').code).toBe(0);
    expect(run('rollback', '003').code).toBe(0);
    expect(run('rollback', '001').code).toBe(0);
    expect(run('status').stdout).toContain('Applied migrations:\n  (none)\n');
  });
});
