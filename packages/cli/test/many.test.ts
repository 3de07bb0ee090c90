import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, sandbox, THREE, writeMigrations } from './support/cli.js';
import { inProcess } from './support/in-process.js';

/** Durations vary from run to run: `12 ms`, `<1 ms` and `1.2 s` read as `<t>`. */
const timeless = (text: string) => text.replace(/(<1 ms|\d+ ms|\d+\.\d s)/g, '<t>');

describe.each(DRIVERS)('many databases (--driver %s)', (driver) => {
  /** A sandbox with THREE, and tenants a (at 001), b (at 002) and c (at 003), each made by a run over one database. */
  const setup = () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    const run = (...args: string[]) => box.run(['--driver', driver, ...args]);
    mkdirSync(box.path('tenants'));
    for (const [tenant, to] of [
      ['a', '001'],
      ['b', '002'],
      ['c', '003'],
    ]) {
      expect(run('--db', `tenants/${tenant}.db`, 'migrate', '--to', to as string).code).toBe(0);
    }
    return { box, run };
  };

  it('migrates every database a glob matches and ends with a table; a second run finds them up to date', () => {
    const { box, run } = setup();
    const result = run('--db', 'tenants/*.db', 'migrate', '--concurrency', '2');
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(timeless(result.stdout)).toBe(
      [
        'database      from  to   result      duration',
        'tenants/a.db  001   003  migrated    <t>',
        'tenants/b.db  002   003  migrated    <t>',
        'tenants/c.db  003   003  up to date  <t>',
        '3 databases: 2 migrated, 1 up to date, 0 failed, in <t>.',
        '',
      ].join('\n'),
    );
    for (const tenant of ['a', 'b', 'c']) {
      expect(inspectDb(box.path(`tenants/${tenant}.db`)).history.map((r) => r.version)).toEqual(['001', '002', '003']);
    }
    const again = run('--db', 'tenants/*.db', 'migrate', '--concurrency', '1');
    expect(timeless(again.stdout).split('\n').at(-2)).toBe('3 databases: 0 migrated, 3 up to date, 0 failed, in <t>.');
  });

  it('takes a list file (relative to itself, # comments and blank lines skipped) and --db given several times', () => {
    const { box, run } = setup();
    mkdirSync(box.path('lists'));
    writeFileSync(box.path('lists/tenants.txt'), '# the tenants of region one\n../tenants/a.db\n\n  ../tenants/new.db  \n');
    const result = run('--db', '@lists/tenants.txt', '--db', 'tenants/b.db', '--db', 'tenants/a.db', 'migrate');
    expect(result.code).toBe(0);
    expect(timeless(result.stdout).split('\n').slice(0, 4)).toEqual([
      'database        from  to   result    duration',
      'tenants/a.db    001   003  migrated  <t>',
      'tenants/new.db  -     003  migrated  <t>',
      'tenants/b.db    002   003  migrated  <t>',
    ]);
    expect(inspectDb(box.path('tenants/new.db')).history).toHaveLength(3);
  });

  it('a failing database fails alone: exit 1, its error on stderr, --json and --report give the same document', () => {
    const { box, run } = setup();
    // b is at 002; a table its 003 would create an index on no longer has the column.
    execSql(box.path('tenants/a.db'), 'DROP TABLE users; CREATE TABLE users (id INTEGER PRIMARY KEY);');
    const text = run('--db', 'tenants/*.db', 'migrate', '--report', 'out/report.json');
    expect(text.code).toBe(1);
    expect(timeless(text.stdout).split('\n').slice(1, 3)).toEqual([
      'tenants/a.db  001   002  failed      <t>',
      'tenants/b.db  002   003  migrated    <t>',
    ]);
    expect(text.stderr).toMatch(
      /^error tenants\/a\.db: MIGRATION_FAILED: migration 003 \(index_emails\) failed.*no such column: email/m,
    );
    expect(inspectDb(box.path('tenants/a.db')).history.map((r) => r.version)).toEqual(['001', '002']);

    const report = JSON.parse(readFileSync(box.path('out/report.json'), 'utf8'));
    expect(report).toMatchObject({
      command: 'migrate',
      migrationsDir: box.path('migrations'),
      driver,
      table: 'schema_migrations',
      migrations: { count: 3, digest: expect.stringMatching(/^[0-9a-f]{32}$/) },
      summary: { total: 3, migrated: 1, upToDate: 1, failed: 1, skipped: 0 },
    });
    expect(
      report.databases.map((r: { file: string; result: string; from: string; to: string }) => [r.file, r.result, r.from, r.to]),
    ).toEqual([
      [box.path('tenants/a.db'), 'failed', '001', '002'],
      [box.path('tenants/b.db'), 'migrated', '002', '003'],
      [box.path('tenants/c.db'), 'up-to-date', '003', '003'],
    ]);
    expect(report.databases[0].error).toMatchObject({ code: 'MIGRATION_FAILED', version: '003' });

    const json = run('--db', 'tenants/*.db', 'migrate', '--json');
    expect(json.code).toBe(1);
    expect(json.stderr).toBe('');
    const document = JSON.parse(json.stdout);
    expect(Object.keys(document)).toEqual(Object.keys(report));
    expect(document.databases.map((r: { result: string }) => r.result)).toEqual(['failed', 'up-to-date', 'up-to-date']);
  });

  it('--resume retries only the failed and not started databases of a report, and leaves the done ones alone', () => {
    const { box, run } = setup();
    execSql(box.path('tenants/a.db'), 'DROP TABLE users; CREATE TABLE users (id INTEGER PRIMARY KEY);');
    const first = run('--db', 'tenants/*.db', 'migrate', '--fail-fast', '--concurrency', '1', '--report', 'report.json');
    expect(first.code).toBe(1);
    expect(timeless(first.stdout).split('\n').slice(1, 5)).toEqual([
      'tenants/a.db  001   002  failed       <t>',
      'tenants/b.db  -     -    not started  -',
      'tenants/c.db  -     -    not started  -',
      '3 databases: 0 migrated, 0 up to date, 1 failed, 1 not started, in <t>.'.replace('1 not started', '2 not started'),
    ]);
    expect(inspectDb(box.path('tenants/b.db')).history).toHaveLength(2);

    // The cause fixed, the run resumed: a and b run, c (not started) too; nothing else is opened.
    execSql(box.path('tenants/a.db'), 'DROP TABLE users; CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);');
    writeFileSync(box.path('tenants/elsewhere.db'), '');
    const resumed = run('migrate', '--resume', 'report.json', '--report', 'report.json');
    expect(resumed.code).toBe(0);
    expect(timeless(resumed.stdout)).toBe(
      [
        'Resuming report.json: 0 databases done there left alone, 3 to retry.',
        'database      from  to   result      duration',
        'tenants/a.db  002   003  migrated    <t>',
        'tenants/b.db  002   003  migrated    <t>',
        'tenants/c.db  003   003  up to date  <t>',
        '3 databases: 2 migrated, 1 up to date, 0 failed, in <t>.',
        '',
      ].join('\n'),
    );
    const done = JSON.parse(readFileSync(box.path('report.json'), 'utf8'));
    expect(done.summary).toEqual({ total: 3, migrated: 2, upToDate: 1, failed: 0, skipped: 0 });

    // Once more: every database is done there, so none is opened (their files are not touched).
    const before = statSync(box.path('tenants/a.db')).mtimeMs;
    const nothing = run('migrate', '--resume', 'report.json', '--json');
    expect(nothing.code).toBe(0);
    expect(JSON.parse(nothing.stdout)).toMatchObject({ resumed: { report: box.path('report.json'), done: 3 } });
    expect(statSync(box.path('tenants/a.db')).mtimeMs).toBe(before);
  });

  it('--resume leaves the databases done in the report alone and retries the failed one only', () => {
    const { box, run } = setup();
    execSql(box.path('tenants/b.db'), 'DROP TABLE users; CREATE TABLE users (id INTEGER PRIMARY KEY);');
    expect(run('--db', 'tenants/*.db', 'migrate', '--report', 'report.json').code).toBe(1);
    execSql(box.path('tenants/b.db'), 'DROP TABLE users; CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL);');
    const mtimes = () => ['a', 'c'].map((t) => statSync(box.path(`tenants/${t}.db`)).mtimeMs);
    const before = mtimes();
    const resumed = run('migrate', '--resume', 'report.json');
    expect(resumed.code).toBe(0);
    expect(timeless(resumed.stdout).split('\n').slice(0, 3)).toEqual([
      'Resuming report.json: 2 databases done there left alone, 1 to retry.',
      'database      from  to   result    duration',
      'tenants/b.db  002   003  migrated  <t>',
    ]);
    expect(mtimes()).toEqual(before);
  });

  it('refuses to resume a report written for other migrations, and --resume with --db (exit 2)', () => {
    const { box, run } = setup();
    expect(run('--db', 'tenants/*.db', 'migrate', '--report', 'report.json').code).toBe(0);
    writeMigrations(box.path('migrations'), { '004_more': { up: 'CREATE TABLE more (id INTEGER PRIMARY KEY);\n' } });
    const other = run('migrate', '--resume', 'report.json');
    expect(other.code).toBe(2);
    expect(other.stderr).toContain(
      `error: --resume: ${box.path('report.json')} was written for other migrations (${box.path('migrations')}: 3 migrations, digest `,
    );
    const both = run('--db', 'tenants/*.db', 'migrate', '--resume', 'report.json');
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('error: --resume takes its databases from the report: leave --db out');
    writeFileSync(box.path('not-a-report.json'), '{"hello": 1}');
    expect(run('migrate', '--resume', 'not-a-report.json').stderr).toContain('is not a report of migrate over many databases');
  });

  it('usage errors: a glob that matches nothing, a missing list, many databases for another command (exit 2)', () => {
    const { run } = setup();
    const none = run('--db', 'nowhere/*.db', 'migrate');
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toContain('error: --db nowhere/*.db matches no file');
    expect(run('--db', '@missing.txt', 'status').stderr).toContain('error: --db @missing.txt: cannot read the list of databases');
    expect(run('--db', 'tenants/*.db', 'migrate', '--dry-run').stderr).toContain(
      'error: --dry-run is for one database; a run over many databases does not take it',
    );
    const rollback = run('--db', 'tenants/*.db', 'rollback', '--last');
    expect(rollback.code).toBe(2);
    expect(rollback.stderr).toContain(
      'error: rollback works on one database; --db with a glob, @FILE or given several times is for migrate, status and validate',
    );
    expect(run('--db', 'tenants/*.db', 'migrate', '--concurrency', '0').stderr).toContain(
      'error: --concurrency must be a whole number of at least 1, not "0"',
    );
  });

  it('status summarises: databases at each version, those behind, those with problems or that cannot be read', () => {
    const { box, run } = setup();
    const clean = run('--db', 'tenants/*.db', 'status');
    expect(clean.code).toBe(0);
    expect(clean.stdout).toBe(
      [
        'Databases: 3, migrations in the folder: 3',
        '',
        'At each version:',
        '  001  1 database',
        '  002  1 database',
        '  003  1 database',
        '',
        'Behind (pending migrations):',
        '  ○ tenants/a.db  at 001  2 pending',
        '  ○ tenants/b.db  at 002  1 pending',
        '',
        'Problems:',
        '  (none)',
        '',
        '3 databases: 1 up to date, 2 behind, 0 with problems, 0 could not be read.',
        '',
      ].join('\n'),
    );
    // Reading leaves nothing beside the files: no -wal, -shm or lock.
    expect(run('--db', 'tenants/*.db', 'validate').code).toBe(0);
    expect(readdirSync(box.path('tenants'))).toEqual(['a.db', 'b.db', 'c.db']);
    execSql(box.path('tenants/c.db'), "UPDATE schema_migrations SET checksum = 'abc' WHERE version = '002'");
    writeFileSync(box.path('tenants/junk.db'), 'not SQLite at all, only text that fills more than the hundred bytes of a header');
    const troubled = run('--db', 'tenants/*.db', 'status');
    expect(troubled.code).toBe(1);
    const problems = troubled.stdout.slice(troubled.stdout.indexOf('Problems:'));
    expect(problems).toMatch(
      /^Problems:\n {2}✗ tenants\/c\.db {2}CHECKSUM_MISMATCH: .*002.*\n {2}✗ tenants\/junk\.db {2}DATABASE_ERROR: database .*junk\.db: file is not a database/,
    );
    expect(troubled.stdout).toContain('4 databases: 0 up to date, 2 behind, 1 with problems, 1 could not be read.');

    const json = JSON.parse(run('--db', 'tenants/*.db', 'status', '--json').stdout);
    expect(json).toMatchObject({
      command: 'status',
      driver,
      migrations: { count: 3 },
      summary: { total: 4, current: 0, behind: 2, problems: 1, failed: 1, versions: { '001': 1, '002': 1, '003': 1 } },
    });
    expect(json.databases[0]).toMatchObject({
      file: box.path('tenants/a.db'),
      result: 'behind',
      version: '001',
      applied: 1,
      pending: 2,
      problems: [],
    });
  });

  it('validate checks the folder once and each database against it', () => {
    const { box, run } = setup();
    const ok = run('--db', 'tenants/*.db', 'validate');
    expect(ok).toMatchObject({ code: 0, stderr: '', stdout: 'OK: 3 migrations, 3 databases, no problems.\n' });
    execSql(box.path('tenants/b.db'), "UPDATE schema_migrations SET checksum = 'abc' WHERE version = '001'");
    const bad = run('--db', 'tenants/*.db', 'validate');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/^error tenants\/b\.db: CHECKSUM_MISMATCH: /);
    expect(bad.stderr).toContain('validate: 1 problem in 1 database (3 migrations, 3 databases).');
    const json = JSON.parse(run('--db', 'tenants/*.db', 'validate', '--json').stdout);
    expect(json.databases.map((r: { result: string }) => r.result)).toEqual(['behind', 'problems', 'current']);
    // A broken folder is reported once, and no database is opened.
    writeMigrations(box.path('migrations'), { '004_broken': { up: 'CREATE TABLE broken (id INTEGER PRIMARY KEY,);\n' } });
    const folder = run('--db', 'tenants/*.db', 'validate');
    expect(folder.code).toBe(1);
    expect(folder.stderr).toContain('REPLAY_FAILED');
    expect(folder.stderr).toContain('validate: 1 problem found in the migrations folder; no database checked.');
  });
});

describe('many databases on a terminal', () => {
  it('draws a progress line with counts and an estimate on stderr, and none with --json', async () => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), THREE);
    mkdirSync(box.path('tenants'));
    for (const t of ['a', 'b', 'c']) writeFileSync(box.path(`tenants/${t}.db`), '');
    const env = { NO_COLOR: '1' };
    const shown = await inProcess(['--db', 'tenants/*.db', 'migrate', '--concurrency', '1'], box.cwd, env);
    expect(shown.code).toBe(0);
    expect(shown.stderr).toContain('3 databases (better-sqlite3) · migrations ./migrations');
    expect(shown.stderr).toMatch(/\r\[#{24}\] 3\/3 · ETA 0s/);
    const json = await inProcess(['--db', 'tenants/*.db', 'status', '--json'], box.cwd, env);
    expect(json.stderr).toBe('');
  });
});
