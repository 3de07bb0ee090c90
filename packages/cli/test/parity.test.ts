import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DRIVERS } from '../src/args.js';
import { installBundle, REPO_MIGRATIONS, sandbox } from './support/cli.js';

/** 001 a table, 002 an FTS5 table over it, 003 another table. */
const FTS5 = fileURLToPath(new URL('./fixtures/parity-fts5', import.meta.url));

const ENGINE_LINES =
  /^better-sqlite3: SQLite 3\.\d+\.\d+; only here: .*\bENABLE_FTS5\b.*\nsqljs: SQLite 3\.\d+\.\d+; only here: .*\n/;

// Parity always replays on both engines: --driver changes nothing, which running under each proves.
describe.each(DRIVERS)('validate --parity (--driver %s)', (driver) => {
  it('reports the FTS5 migration failing on sql.js, with the compile option that explains it, exit 1', () => {
    const box = sandbox();
    const result = box.run(['--driver', driver, '--dir', FTS5, 'validate', '--parity']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(ENGINE_LINES);
    expect(result.stdout.split('\n')).toHaveLength(3);
    expect(result.stderr).toBe(
      [
        'error PARITY_MISMATCH: migration 002 (search) applies on better-sqlite3 but fails on sqljs at ' +
          '002_search/up.sql:2:40: no such module: fts5 (ENABLE_FTS5 on better-sqlite3, not on sqljs)',
        '  version: 002',
        '  file: 002_search/up.sql',
        'validate --parity: 1 finding in 3 migrations.',
        '',
      ].join('\n'),
    );
    // No database was opened, so none was created.
    expect(readdirSync(box.cwd)).toEqual([]);
  });

  it('gives the same finding in --json, with both engines and their builds', () => {
    const box = sandbox();
    const result = box.run(['--driver', driver, '--dir', FTS5, 'validate', '--parity', '--json']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('');
    const report = JSON.parse(result.stdout);
    expect(report.engines.map((e: { name: string }) => e.name)).toEqual(['better-sqlite3', 'sqljs']);
    expect(report.engines[0].compileOptions).toContain('ENABLE_FTS5');
    expect(report.engines[1].compileOptions).not.toContain('ENABLE_FTS5');
    expect(report).toMatchObject({
      migrations: 3,
      unchecked: [],
      findings: [
        {
          kind: 'fails-on-one',
          version: '002',
          name: 'search',
          failedOn: ['sqljs'],
          appliedOn: ['better-sqlite3'],
          explanation: 'ENABLE_FTS5 on better-sqlite3, not on sqljs',
          error: { code: 'MIGRATION_FAILED', file: '002_search/up.sql', line: 2, column: 40 },
          problem: { code: 'PARITY_MISMATCH', version: '002', file: '002_search/up.sql', line: 2, column: 40 },
        },
      ],
    });
  });

  it('finds nothing in the built-in migrations, exit 0', () => {
    const box = sandbox();
    const result = box.run(['--driver', driver, '--dir', REPO_MIGRATIONS, 'validate', '--parity']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(ENGINE_LINES);
    expect(result.stdout).toMatch(/\nOK: 3 migrations apply alike on better-sqlite3 and sqljs\.\n$/);
    const json = box.run(['--driver', driver, '--dir', REPO_MIGRATIONS, 'validate', '--parity', '--json']);
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ migrations: 3, findings: [], unchecked: [] });
  });
});

describe('validate --parity, explained and installed', () => {
  it('is explained by validate --help', () => {
    const help = sandbox().run(['validate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('strata [options] validate --parity');
    expect(help.stdout).toContain('--parity           replay the migrations in memory on better-sqlite3 and on sql.js');
    expect(help.stdout).toContain('PARITY_MISMATCH');
  });

  it.each([
    ['better-sqlite3', ['env-paths', 'yaml', 'sql.js'], 'npm install better-sqlite3@12'],
    ['sql.js', ['env-paths', 'yaml', 'better-sqlite3'], 'npm install sql.js'],
  ])('says it needs both engines when %s is not installed, exit 1', (missing, packages, install) => {
    const box = sandbox();
    const bin = installBundle(box.root, packages);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [bin, ...args], { cwd: box.cwd, env: box.env, encoding: 'utf8' });
    const message =
      `validate --parity replays the migrations on both better-sqlite3 and sql.js, and the ${missing} package is not ` +
      `installed: install it (${install})`;
    const refused = run('--dir', FTS5, 'validate', '--parity');
    expect({ code: refused.status, stdout: refused.stdout, stderr: refused.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `error INVALID_OPTION: ${message}\n`,
    });
    const json = run('--dir', FTS5, 'validate', '--parity', '--json');
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'INVALID_OPTION', message } });
  });
});
