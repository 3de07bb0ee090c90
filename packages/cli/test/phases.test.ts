import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { execSql, inspectDb, REPO_MIGRATIONS, sandbox, writeMigrations } from './support/cli.js';

/** The rows `sql` reads from a database file, outside the CLI. */
function inspectRows(file: string, sql: string): unknown[] {
  const db = createBetterSqlite3Driver({ filename: file, readonly: true }).database;
  try {
    return db.prepare(sql).all();
  } finally {
    db.close();
  }
}

const FOLDER = {
  '001_people': { up: 'CREATE TABLE people (id INTEGER PRIMARY KEY, full_name TEXT);\n' },
  '002_add_display_name': {
    up: 'ALTER TABLE people ADD COLUMN display_name TEXT;\nUPDATE people SET display_name = full_name;\n',
    meta: 'phase: expand\n',
  },
  '003_drop_full_name': { up: 'ALTER TABLE people DROP COLUMN full_name;\n' },
};
const REMOVED = "column people.full_name removed: the previous version's statements naming it fail";

describe.each(DRIVERS)('deployment phases (--driver %s)', (driver) => {
  const setup = (folder: Parameters<typeof writeMigrations>[1] = FOLDER) => {
    const box = sandbox();
    writeMigrations(box.path('migrations'), folder);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    return { box, run };
  };

  it('migrate --phase expand stops before the contract migration and says what waits; --phase contract finishes', () => {
    const { box, run } = setup();
    const expand = run('migrate', '--phase', 'expand');
    expect(expand).toMatchObject({ code: 0, stderr: '' });
    expect(expand.stdout).toMatch(
      /^ {2}✓ 001 people {2}\(.*\)\n {2}✓ 002 add_display_name {2}\(.*\)\nApplied 2 migrations in .*\.\n/,
    );
    expect(expand.stdout).toContain(
      [
        'Waiting for the contract phase (run migrate --phase contract once the previous version is gone):',
        '  003 - drop_full_name: contract',
        `      ✗ ${REMOVED}`,
        '',
      ].join('\n'),
    );
    expect(inspectDb(box.path('app.db')).history.map((row) => row.version)).toEqual(['001', '002']);

    expect(run('status').stdout).not.toContain('Phases');
    const status = run('status', '--phases');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(
      [
        'Pending migrations:',
        '  ○ 003 - drop_full_name',
        '',
        'Phases (migrate --phase expand applies none; the rest wait for --phase contract):',
        '  003 - drop_full_name: contract',
        `      ✗ ${REMOVED}`,
      ].join('\n'),
    );
    const json = JSON.parse(run('status', '--phases', '--json').stdout) as { pending: unknown[] };
    expect(json.pending).toEqual([
      {
        version: '003',
        name: 'drop_full_name',
        phase: 'contract',
        changes: [{ phase: 'contract', message: REMOVED }],
      },
    ]);

    const again = run('migrate', '--phase', 'expand', '--json');
    const report = JSON.parse(again.stdout) as { steps: unknown[]; phase: string; waiting: { version: string }[] };
    expect(report).toMatchObject({ steps: [], phase: 'expand', waiting: [{ version: '003' }] });

    const contract = run('migrate', '--phase', 'contract');
    expect(contract.code).toBe(0);
    expect(contract.stdout).toMatch(/^ {2}✓ 003 drop_full_name {2}\(.*\)\nApplied 1 migration in .*\.\n$/);
    expect(inspectDb(box.path('app.db')).history.map((row) => row.version)).toEqual(['001', '002', '003']);
  });

  it('validate --phases lists every migration with its phase and changes', () => {
    const { run } = setup();
    const result = run('validate', '--phases');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Phases:',
        '  001 - people: expand',
        '      table people added',
        '  002 - add_display_name: expand (declared)',
        '      column people.display_name added',
        '  003 - drop_full_name: contract',
        `      ✗ ${REMOVED}`,
        'OK: 3 migrations, no problems.',
        '',
      ].join('\n'),
    );
  });

  it('refuses a declared expand that breaks the previous version, in validate and migrate, changing nothing', () => {
    const { box, run } = setup({ ...FOLDER, '003_drop_full_name': { ...FOLDER['003_drop_full_name'], meta: 'phase: expand\n' } });
    const message = `003_drop_full_name/meta.yaml declares phase: expand, but 003_drop_full_name would break the previous version of the application: ${REMOVED}`;
    const validate = run('validate');
    expect(validate.code).toBe(1);
    expect(validate.stderr).toContain(`PHASE_MISMATCH: ${message}`);
    expect(run('migrate', '--to', '002').code).toBe(0);
    const migrate = run('migrate', '--phase', 'expand', '--json');
    expect(migrate.code).toBe(1);
    const error = JSON.parse(migrate.stdout) as { error: { code: string; problems: { code: string; message: string }[] } };
    expect(error.error.problems).toEqual([expect.objectContaining({ code: 'PHASE_MISMATCH', message })]);
    expect(inspectDb(box.path('app.db')).history.map((row) => row.version)).toEqual(['001', '002']);
  });

  it('takes only expand or contract as a phase', () => {
    const { run } = setup();
    const result = run('migrate', '--phase', 'later');
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--phase must be expand or contract, not "later"');
    expect(run('migrate', '--help').stdout).toContain('--phase <P>');
  });
});

/** The README's workflows: the built-in migrations plus each folder of examples/blue-green. */
describe('the blue-green examples', () => {
  const EXAMPLES = fileURLToPath(new URL('../../../examples/blue-green/', import.meta.url));
  const scenario = (name: string) => {
    const box = sandbox();
    cpSync(REPO_MIGRATIONS, box.path('migrations'), { recursive: true });
    cpSync(join(EXAMPLES, name), box.path('migrations'), { recursive: true });
    return { box, run: (...args: string[]) => box.run(['--db', 'app.db', ...args]) };
  };
  const phases = (stdout: string) =>
    [...stdout.matchAll(/^ {2}(\d{3}) - (\w+): (expand|contract)/gm)].map((m) => [m[1], m[3]]).slice(3);

  it.each([
    [
      'required-column',
      [
        ['004', 'expand'],
        ['005', 'contract'],
        ['006', 'contract'],
      ],
    ],
    [
      'rename-column',
      [
        ['004', 'expand'],
        ['005', 'contract'],
      ],
    ],
    [
      'split-table',
      [
        ['004', 'expand'],
        ['005', 'contract'],
      ],
    ],
  ])('%s: valid, every down.sql undoes its up.sql, each migration in the phase it declares', (name, expected) => {
    const { run } = scenario(name);
    const result = run('validate', '--round-trip', '--phases');
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(phases(result.stdout)).toEqual(expected);
  });

  it('rename-column: the expand phase keeps both columns in step for the previous release, the contract phase drops the old one', () => {
    const { box, run } = scenario('rename-column');
    expect(run('migrate', '--to', '003').code).toBe(0);
    expect(run('migrate', '--phase', 'expand').stdout).toContain('  005 - drop_domain_description: contract (declared)');
    // The previous release writes description alone; the new one reads summary.
    execSql(box.path('app.db'), "INSERT INTO domains (slug, name, description) VALUES ('ethics', 'Ethics', 'Right and wrong');");
    execSql(box.path('app.db'), "UPDATE domains SET description = 'Cases, argued' WHERE slug = 'law';");
    const summaries = () =>
      inspectRows(box.path('app.db'), "SELECT slug, summary FROM domains WHERE slug IN ('ethics', 'law') ORDER BY slug");
    expect(summaries()).toEqual([
      { slug: 'ethics', summary: 'Right and wrong' },
      { slug: 'law', summary: 'Cases, argued' },
    ]);
    expect(run('migrate', '--phase', 'contract').code).toBe(0);
    expect(summaries()).toEqual([
      { slug: 'ethics', summary: 'Right and wrong' },
      { slug: 'law', summary: 'Cases, argued' },
    ]);
    expect(inspectDb(box.path('app.db')).history.map((row) => row.version)).toEqual(['001', '002', '003', '004', '005']);
  });
});

/** The example server's statements, as its `queries` script prints them. */
function serverQueries(dir: string): string {
  const script = fileURLToPath(new URL('../../../examples/server/dist/print-queries.js', import.meta.url));
  const printed = spawnSync(process.execPath, [script], { encoding: 'utf8' });
  expect(printed.status).toBe(0);
  const file = join(dir, 'server-queries.sql');
  writeFileSync(file, printed.stdout);
  return file;
}

describe.each(DRIVERS)('check-compat (--driver %s)', (driver) => {
  const setup = (extra: Parameters<typeof writeMigrations>[1]) => {
    const box = sandbox();
    cpSync(REPO_MIGRATIONS, box.path('migrations'), { recursive: true });
    writeMigrations(box.path('migrations'), extra);
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'app.db', ...args]);
    expect(run('migrate').code).toBe(0);
    return { box, run, queries: serverQueries(box.cwd) };
  };
  const RENAME = {
    '004_add_domain_icon': { up: 'ALTER TABLE domains ADD COLUMN icon TEXT;\n' },
    '005_rename_domain_name': { up: 'ALTER TABLE domains RENAME COLUMN name TO title;\n' },
  };

  it("passes the example server's statements against an expand migration, and names the one a rename breaks", () => {
    const { box, run, queries } = setup({});
    writeMigrations(box.path('migrations'), RENAME);
    const expand = run('check-compat', '--queries', queries);
    expect(expand.stderr).toBe('');
    expect(expand.code).toBe(0);
    expect(expand.stdout).toBe(
      [
        'Checked 7 statements of the previous version (on 001_initial_schema, 002_add_performance_indexes, 003_add_user_preferences)',
        'against the expand phase: 004_add_domain_icon.',
        'OK: every statement still compiles.',
        '',
        'Not checked, waiting for the contract phase:',
        '  005 - rename_domain_name: contract',
        "      ✗ column domains.name renamed to title: the previous version's statements naming name fail",
        '',
      ].join('\n'),
    );

    const contract = run('check-compat', '--queries', queries, '--phase', 'contract', '--json');
    expect(contract.code).toBe(1);
    const report = JSON.parse(contract.stdout) as {
      broken: { query: { source: string }; migration: { version: string }; error: string }[];
      failingBefore: unknown[];
    };
    expect(report.broken.map((b) => [b.query.source, b.migration.version])).toEqual([
      ['domainsList (server-queries.sql:2)', '005'],
    ]);
    expect(report.broken[0]?.error).toMatch(/^no such column: "?name"?/);
    expect(report.failingBefore).toEqual([]);
    const text = run('check-compat', '--queries', queries, '--phase', 'contract');
    expect(text.stdout).toContain('  ✗ domainsList (server-queries.sql:2): after 005_rename_domain_name: no such column:');
    expect(text.stderr).toBe('check-compat: of 7 statements, 1 stop compiling.\n');
  });

  it('takes the previous version from --from without a database, and lists statements that fail on it already', () => {
    const box = sandbox();
    cpSync(REPO_MIGRATIONS, box.path('migrations'), { recursive: true });
    writeMigrations(box.path('migrations'), RENAME);
    writeFileSync(
      box.path('old.sql'),
      '-- name: prefs\nSELECT theme FROM user_preferences WHERE user_id = :user;\n\nSELECT nope FROM domains;\n',
    );
    const run = (...args: string[]) => box.run(['--driver', driver, '--db', 'none.db', ...args]);
    const result = run('check-compat', '--queries', 'old.sql', '--from', '002', '--phase', 'contract', '--json');
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout) as {
      base: { version: string }[];
      steps: { version: string }[];
      broken: unknown[];
      failingBefore: { query: { source: string } }[];
    };
    expect(report.base.map((m) => m.version)).toEqual(['001', '002']);
    expect(report.steps.map((m) => m.version)).toEqual(['003', '004', '005']);
    expect(report.failingBefore.map((f) => f.query.source)).toEqual(['prefs (old.sql:2)', 'old.sql:4']);
    expect(existsSync(box.path('none.db'))).toBe(false);
  });

  it('refuses a file it cannot read or use, naming it', () => {
    const { run } = setup({});
    const missing = run('check-compat', '--queries', 'missing.sql', '--json');
    expect(missing.code).toBe(1);
    expect(JSON.parse(missing.stdout)).toMatchObject({ error: { code: 'INVALID_OPTION', file: 'missing.sql' } });
    expect(run('check-compat').code).toBe(2);
  });
});
