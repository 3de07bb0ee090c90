import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** The CLI reads a colon form with the grammar of `runCommand`: each stands for the words beside it. */
describe.each(DRIVERS)('one command grammar (--driver %s)', (driver) => {
  const setup = (migrateFirst: boolean) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    if (migrateFirst) expect(run('migrate').code).toBe(0);
    return { run, db: box.path('app.db') };
  };
  const versions = (db: string) => inspectDb(db).history.map((r) => r.version);

  it.each([
    [['migrate:002'], ['migrate', '--to', '002'], ['001', '002']],
    [['migrate:to:002'], ['migrate', '--to', '002'], ['001', '002']],
  ])('%j is %j', (colon, words, applied) => {
    const a = setup(false);
    const b = setup(false);
    const one = a.run(...colon);
    const other = b.run(...words);
    expect(one.code).toBe(0);
    expect(one.stdout.replace(/\d+ ms|<1 ms/g, 'n ms')).toBe(other.stdout.replace(/\d+ ms|<1 ms/g, 'n ms'));
    expect(versions(a.db)).toEqual(applied);
    expect(versions(b.db)).toEqual(applied);
  });

  it('reads migrate:dry-run and migrate:002:dry-run as dry runs', () => {
    const { run, db } = setup(false);
    const whole = run('migrate:dry-run');
    expect(whole.code).toBe(0);
    expect(whole.stdout).toContain('-- Dry run: 3 migrations would be applied; nothing was changed.\n');
    const part = run('migrate:002:dry-run', '--json');
    expect(JSON.parse(part.stdout).steps.map((s: { version: string }) => s.version)).toEqual(['001', '002']);
    expect(existsSync(db)).toBe(false);
  });

  it('reads rollback:001:cascade as rollback 001 --cascade', () => {
    const { run, db } = setup(true);
    const result = run('rollback:001:cascade');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Rolled back 3 migrations in /);
    expect(versions(db)).toEqual([]);
  });

  it('refuses an option both the colon form and the command line give, and a malformed form, changing nothing', () => {
    const { run, db } = setup(true);
    const before = readFileSync(db);
    expect(run('rollback:to:001', '--to', '002')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--to is given twice: rollback:to:001 already says it'),
    });
    expect(run('rollback:001:cascade:cascade')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        'malformed command "rollback:001:cascade:cascade"; expected rollback(:V|:last|:steps:N|:to:V)[:cascade][:dry-run]',
      ),
    });
    expect(run('migrate:latest', '--json')).toMatchObject({ code: 2, stdout: expect.stringContaining('"USAGE_ERROR"') });
    expect(readFileSync(db).equals(before)).toBe(true);
  });
});
