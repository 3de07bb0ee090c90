import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, recordTwice, sandbox, THREE, whereFields, writeMigrations } from './support/cli.js';

const md5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');
const HEX = '[0-9a-f]{32}';

describe.each(DRIVERS)('repair (--driver %s)', (driver) => {
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    return { box, run, db: box.path('app.db') };
  };

  it('shows the change to an edited migration without --yes, writes it with --yes', () => {
    const { box, run, db } = setup();
    const up = `${THREE['002_create_posts']?.up ?? ''}-- posts belong to users\n`;
    writeFileSync(box.path('migrations', '002_create_posts', 'up.sql'), up);
    const recorded = inspectDb(db).history[1]?.checksum;
    const before = readFileSync(db);

    const preview = run('repair', '002');
    expect(preview.code).toBe(0);
    expect(preview.stderr).toBe('');
    expect(preview.stdout).toBe(
      [
        `  ○ 002 create_posts  checksum ${recorded} → ${md5(up)}  (up.sql edited)`,
        'Dry run: 1 checksum would be re-recorded; nothing was changed. Run again with --yes to apply.',
        '',
      ].join('\n'),
    );
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(run('validate').code).toBe(1);

    const applied = run('repair:002', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toBe(
      [`  ✓ 002 create_posts  checksum ${recorded} → ${md5(up)}  (up.sql edited)`, 'Re-recorded 1 checksum.', ''].join('\n'),
    );
    expect(inspectDb(db).history.map((r) => r.checksum)[1]).toBe(md5(up));
    expect(run('validate').stdout).toBe('OK: 3 migrations, no problems.\n');
    expect(run('repair', '002', '-y').stdout).toBe('Nothing to repair: the recorded checksum of 002 matches its up.sql.\n');
  });

  it('re-stamps only rows an older tool wrote with CRLF or a BOM when no version is given, and prints --json', () => {
    const { box, run, db } = setup();
    const crlf = (THREE['001_create_users']?.up ?? '').replace(/\n/g, '\r\n');
    writeFileSync(box.path('migrations', '001_create_users', 'up.sql'), crlf);
    execSql(db, `UPDATE schema_migrations SET checksum = '${md5(crlf)}' WHERE version = '001'`);
    execSql(db, `UPDATE schema_migrations SET checksum = '${'0'.repeat(32)}' WHERE version = '003'`);

    const json = run('repair', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      dryRun: true,
      changes: [
        {
          version: '001',
          name: 'create_users',
          folder: '001_create_users',
          oldChecksum: md5(crlf),
          newChecksum: md5(crlf.replace(/\r\n/g, '\n')),
          difference: 'line-endings',
        },
      ],
      skipped: [
        {
          version: '003',
          name: 'index_emails',
          folder: '003_index_emails',
          oldChecksum: '0'.repeat(32),
          newChecksum: expect.stringMatching(new RegExp(`^${HEX}$`)),
          difference: 'edited',
        },
      ],
      duplicates: [],
      ...whereFields(box, driver),
    });

    const applied = run('repair', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      new RegExp(`^ {2}✓ 001 create_users {2}checksum ${md5(crlf)} → ${HEX} {2}\\(line endings or byte-order mark only\\)\\n`),
    );
    expect(applied.stdout).toMatch(/\n {2}· 003 index_emails {2}left alone: up\.sql was edited .*run "strata repair 003"/);
    expect(applied.stdout).toMatch(/\nRe-recorded 1 checksum\.\n$/);
    const validate = run('validate', '--json');
    expect(JSON.parse(validate.stdout).problems.map((p: { version: string }) => p.version)).toEqual(['003']);
  });

  it('removes the rows that repeat a version, keeping the oldest: listed without --yes, removed with it', () => {
    const { run, db } = setup();
    const [users, , tags] = inspectDb(db).history;
    recordTwice(db, '001');
    recordTwice(db, '003', '0003');
    const later = (at = '') =>
      new Date(Date.parse(`${at.replace(' ', 'T')}Z`) + 86_400_000).toISOString().replace('T', ' ').slice(0, 19);
    expect(run('status').code).toBe(1);
    const before = readFileSync(db);

    const preview = run('repair');
    expect(preview).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `  ○ 001 create_users  would remove duplicate row 001 applied ${later(users?.applied_at)}  (kept: 001 applied ${users?.applied_at})`,
        `  ○ 003 index_emails  would remove duplicate row 0003 applied ${later(tags?.applied_at)}  (kept: 003 applied ${tags?.applied_at})`,
        'Dry run: 2 duplicate rows would be removed; nothing was changed. Run again with --yes to apply.',
        '',
      ].join('\n'),
    });
    expect(readFileSync(db).equals(before)).toBe(true);

    const applied = run('repair', '--yes');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /^ {2}✓ 001 create_users {2}removed duplicate row 001 applied .*\n {2}✓ 003 .*\nRemoved 2 duplicate rows\.\n$/,
    );
    expect(inspectDb(db).history.map((r) => [r.version, r.applied_at])).toEqual([
      ['001', users?.applied_at],
      ['002', expect.any(String)],
      ['003', tags?.applied_at],
    ]);
    expect(run('status').code).toBe(0);
    expect(run('repair').stdout).toBe(
      'Nothing to repair: no recorded checksum differs only in line endings, and no version is recorded twice.\n',
    );
  });

  it('refuses a version that is not applied or unknown, exit 1, and a database that does not exist', () => {
    const { box, run } = setup();
    writeMigrations(box.path('migrations'), { '004_add_tags': { up: 'CREATE TABLE tags (id INTEGER);\n' } });
    const notApplied = run('repair', '004', '--yes');
    expect(notApplied.code).toBe(1);
    expect(notApplied.stderr).toMatch(/^error NOT_APPLIED: migration 004_add_tags is not applied/);
    expect(notApplied.stderr).toContain('  version: 004\n');
    const unknown = run('repair', '042');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error UNKNOWN_VERSION: no migration has version "042"/);

    const missing = box.run(['--driver', driver, '--db', 'none.db', 'repair', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error DATABASE_ERROR: database .*none\.db does not exist/);
    expect(existsSync(box.path('none.db'))).toBe(false);
  });
});

describe.each(DRIVERS)('baseline (--driver %s)', (driver) => {
  /** A database made before Strata: the schema of 001 and 002, no history. */
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const db = box.path('app.db');
    execSql(db, `${THREE['001_create_users']?.up}${THREE['002_create_posts']?.up}`);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run, db };
  };

  it('shows what it would mark without --yes and changes nothing', () => {
    const { run, db } = setup();
    const before = readFileSync(db);
    const result = run('baseline', '002');
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        '  ○ 001 create_users  would be marked applied',
        '  ○ 002 create_posts  would be marked applied',
        'Dry run: 2 migrations would be marked applied without running; nothing was changed. Run again with --yes to apply.',
        '',
      ].join('\n'),
    });
    expect(readFileSync(db).equals(before)).toBe(true);
    expect(inspectDb(db).objects).not.toContain('schema_migrations');
  });

  it('marks the version and its dependencies with --yes, after which migrate runs only the rest', () => {
    const { run, db } = setup();
    const result = run('baseline:002', '--yes');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        '  ✓ 001 create_users  marked applied',
        '  ✓ 002 create_posts  marked applied',
        'Marked 2 migrations applied without running them.',
        '',
      ].join('\n'),
    );
    expect(inspectDb(db).history.map((r) => r.version)).toEqual(['001', '002']);
    expect(run('status').stdout).toContain('Pending migrations:\n  ○ 003 - index_emails\n');

    const json = JSON.parse(run('baseline', '003', '--json').stdout);
    expect(json).toMatchObject({
      dryRun: true,
      version: '003',
      marked: [{ version: '003' }],
      alreadyApplied: [{ version: '001' }],
    });
    expect(run('baseline', '002', '--yes').stdout).toBe(
      [
        '  - 001 create_users  already applied',
        '  - 002 create_posts  already applied',
        'Nothing to baseline: 002 and what it depends on are already applied.',
        '',
      ].join('\n'),
    );
    expect(run('migrate').stdout).toMatch(/^ {2}✓ 003 index_emails .*\nApplied 1 migration in /);
  });

  it('refuses an unknown version, a mismatch, a missing database, and a missing version', () => {
    const { box, run, db } = setup();
    const unknown = run('baseline', '042', '--yes');
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/^error UNKNOWN_VERSION: no migration has version "042"/);

    expect(run('baseline', '001', '--yes').code).toBe(0);
    writeFileSync(box.path('migrations', '001_create_users', 'up.sql'), 'CREATE TABLE users (id INTEGER PRIMARY KEY);\n');
    const before = readFileSync(db);
    const mismatch = run('baseline', '002', '--yes');
    expect(mismatch.code).toBe(1);
    expect(mismatch.stderr).toMatch(/^error CHECKSUM_MISMATCH: cannot baseline 002: migration 001 \(001_create_users\/up\.sql\)/);
    expect(readFileSync(db).equals(before)).toBe(true);

    const missing = box.run(['--driver', driver, '--db', 'none.db', 'baseline', '001', '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error DATABASE_ERROR: database .*none\.db does not exist/);
    expect(existsSync(box.path('none.db'))).toBe(false);

    const usage = run('baseline', '--yes');
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/^error: baseline needs a version argument\n/);
  });
});
