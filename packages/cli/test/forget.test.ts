import { existsSync, readFileSync, rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

describe.each(DRIVERS)('forget (--driver %s)', (driver) => {
  /** THREE applied, then the folder of 003 deleted: its row is APPLIED_MISSING. */
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    rmSync(box.path('migrations', '003_index_emails'), { recursive: true });
    return { box, run, db: box.path('app.db') };
  };

  it('names forget and --ignore-missing when an applied migration is missing', () => {
    const { run } = setup();
    const result = run('migrate');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^error APPLIED_MISSING: migration 003 \(index_emails\) is recorded as applied, but no folder 003_index_emails exists; if it was deleted on purpose, forget 003 --yes removes its history row, and migrate --ignore-missing runs without removing it\n/,
    );
  });

  it('shows the row without --yes and changes nothing; removes it with --yes, leaving the schema', () => {
    const { box, run, db } = setup();
    const before = readFileSync(db);
    const preview = run('forget', '003');
    expect(preview.code).toBe(0);
    expect(preview.stdout).toMatch(
      /^ {2}○ 003 index_emails {2}applied \d{4}-\d\d-\d\d \d\d:\d\d:\d\d; its row would be removed\nDry run: 1 history row of 003 would be removed; the schema is left as it is; nothing was changed\. Run again with --yes to apply\.\n$/,
    );
    expect(readFileSync(db).equals(before)).toBe(true);

    const applied = run('forget', '003', '--yes', '--json');
    expect(applied.code).toBe(0);
    expect(JSON.parse(applied.stdout)).toEqual({
      ...whereFields(box, driver),
      dryRun: false,
      version: '003',
      rows: [expect.objectContaining({ version: '003', name: 'index_emails' })],
    });
    const { history, objects } = inspectDb(db);
    expect(history.map((r) => r.version)).toEqual(['001', '002']);
    expect(objects).toContain('idx_users_email');
    // What 003 made stays, and no applied migration makes it any more.
    expect(run('status')).toMatchObject({ code: 1, stderr: 'status: 1 problem found: SCHEMA_DRIFT\n' });
    expect(JSON.parse(run('status', '--json').stdout).drift.map((d: { message: string }) => d.message)).toEqual([
      'index idx_users_email added',
    ]);
    expect(run('status', '--no-drift')).toMatchObject({ code: 0 });
    expect(run('migrate').stdout).toBe('Nothing to migrate: 2 applied, 0 pending.\n');
  });

  it('refuses a version whose folder exists, and one no row records, changing nothing', () => {
    const { run, db } = setup();
    const before = readFileSync(db);
    const present = run('forget', '002', '--yes');
    expect(present.code).toBe(1);
    expect(present.stderr).toMatch(
      /^error MIGRATION_PRESENT: migration 002 has a folder, 002_create_posts, so its history row is not forgotten; roll it back instead \(rollback 002\)/,
    );
    expect(run('forget', '009', '--yes')).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^error NOT_APPLIED: no history row records migration 009, so there is nothing to forget\n/),
    });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(inspectDb(db).history).toHaveLength(3);
  });
});

describe.each(DRIVERS)('commands that need an existing database (--driver %s)', (driver) => {
  it.each([
    [['forget', '001', '--yes'], 'does not exist, so it has no history to forget'],
    [['baseline', '001', '--yes'], 'does not exist; baseline records the migrations an existing database already has'],
    [['stats'], 'does not exist; run migrate to create it'],
  ])('%s refuses a database that does not exist, creating nothing', (command, said) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const result = box.run(['--driver', driver, '--db', 'data/none.db', ...command]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`error DATABASE_ERROR: database ${box.path('data/none.db')} ${said}`);
    expect(existsSync(box.path('data'))).toBe(false);
  });
});
