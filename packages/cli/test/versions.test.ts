import { readdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';

/** The UTC time as `new --timestamp` numbers a migration. */
const stamp = (date: Date) => date.toISOString().replace(/\D/g, '').slice(0, 14);

describe('new --timestamp', () => {
  it.each([
    ['--timestamp', [] as string[], ''],
    ['"versions: timestamp" in the config file', [] as string[], 'versions: timestamp\n'],
  ])('numbers the migration by the time in UTC with %s', (how, _, config) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    if (config !== '') writeFileSync(box.path('strata.config.yaml'), config);
    const before = stamp(new Date());
    const result = box.run(['new', 'add tags', ...(how.startsWith('--') ? [how] : [])]);
    const after = stamp(new Date());
    expect(result.code, result.stderr).toBe(0);
    const folder = readdirSync(box.path('migrations')).find((f) => f.endsWith('_add_tags')) ?? '';
    const version = folder.slice(0, folder.indexOf('_'));
    expect(version).toMatch(/^\d{14}$/);
    expect(version >= before && version <= after).toBe(true);
    expect(result.stdout).toContain(`Created migrations/${folder}/\n`);
  });

  it('refuses another value of "versions" in the config file', () => {
    const box = sandbox();
    writeFileSync(box.path('strata.config.yaml'), 'versions: date\n');
    const result = box.run(['new', 'add_tags']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('"versions" must be sequence or timestamp');
  });
});

describe.each(DRIVERS)('a pending migration older than the newest applied (--driver %s)', (driver) => {
  it('is pointed out by status and migrate, in text and JSON, and still runs in dependency order', () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    writeMigrations(box.path('migrations'), {
      '20261203154500_add_tags': { up: 'CREATE TABLE tags (id INTEGER PRIMARY KEY);\n', meta: 'dependencies: ["001"]\n' },
    });
    expect(run('migrate').code).toBe(0);
    // A branch numbered its migration 004 before the timestamped one was merged.
    writeMigrations(box.path('migrations'), { '004_add_labels': { up: 'CREATE TABLE labels (id INTEGER PRIMARY KEY);\n' } });
    const note =
      'with a lower version than the newest applied migration, 20261203154500; it runs in dependency order all the same.';

    const status = run('status');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`Pending migrations:\n  ○ 004 - add_labels\n\nNote: 004 is pending ${note}\n`);
    expect(JSON.parse(run('status', '--json').stdout).outOfOrder).toEqual({
      newestApplied: '20261203154500',
      versions: ['004'],
    });

    const dryRun = run('migrate', '--dry-run');
    expect(dryRun.stdout).toContain(`-- Note: 004 is to be applied ${note}\n`);
    const migrate = run('migrate');
    expect(migrate.code).toBe(0);
    expect(migrate.stdout).toMatch(
      new RegExp(`^ {2}✓ 004 add_labels .*\\nNote: 004 is applied ${note.replace(/[.;,]/g, '.')}\\nApplied 1 migration in `),
    );
    expect(
      inspectDb(box.path('app.db'))
        .history.map((r) => r.version)
        .sort(),
    ).toEqual(['001', '002', '003', '004', '20261203154500']);
    expect(JSON.parse(run('status', '--json').stdout).outOfOrder).toBeUndefined();
  });
});
