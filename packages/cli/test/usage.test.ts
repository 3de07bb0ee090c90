import { describe, expect, it } from 'vitest';
import { commands } from '../src/commands/index.js';
import { sandbox } from './support/cli.js';

describe('help and usage errors', () => {
  it.each([['--help'], ['-h'], ['help']])('prints the global help with %s, exit 0', (flag) => {
    const result = sandbox().run([flag]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
    expect(result.stdout).toMatch(/^Usage: strata \[options\] <command>/);
    for (const command of commands) expect(result.stdout).toContain(`\n  ${command.usage[0]}`);
    for (const option of ['--db <file>', '--dir <folder>', '--driver <name>', '--table <name>', '--json', '--version']) {
      expect(result.stdout).toContain(option);
    }
  });

  it('names the default database file in the data folder', () => {
    const box = sandbox();
    expect(box.run(['--help']).stdout).toContain(`Default database: ${box.defaultDb}\n`);
  });

  describe.each(commands.map((c) => c.name))('%s', (name) => {
    it.each([
      [name, '--help'],
      ['--help', name],
      [name, '-h'],
      ['help', name],
    ])('prints its help for %s %s, exit 0', (...args) => {
      const result = sandbox().run(args);
      expect(result.code).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(new RegExp(`^Usage: strata \\[options\\] ${name}`));
      expect(result.stdout).toContain('Exit codes:');
    });
  });

  it('documents the exit codes of status', () => {
    expect(sandbox().run(['status', '--help']).stdout).toContain(
      'Exit codes: 0 when there are no problems, pending migrations or not; 1 when there are problems',
    );
  });

  it('prints the version', () => {
    expect(sandbox().run(['--version'])).toEqual({ code: 0, stdout: '0.1.0\n', stderr: '' });
  });

  it.each([
    [['frobnicate'], 'unknown command "frobnicate"', 'strata --help'],
    [['status', '--frob'], 'unknown option --frob for status', 'strata status --help'],
    [['--frob', 'status'], 'unknown option --frob for status', 'strata status --help'],
    [['--frob'], 'unknown option --frob', 'strata --help'],
    [['status', '--cascade'], 'unknown option --cascade for status', 'strata status --help'],
    [['status', '--db'], 'option --db needs a value', 'strata status --help'],
    [['migrate', '--to'], 'option --to needs a value', 'strata migrate --help'],
    [
      ['--driver', 'postgres', 'status'],
      '--driver must be one of better-sqlite3, sqljs, libsql, rqlite, not "postgres"',
      'strata --help',
    ],
    [['rollback'], 'rollback needs exactly one of a version V, --last, --steps N or --to V, not none', 'strata rollback --help'],
    [['rollback:'], 'malformed command "rollback:"; expected rollback(:V|:last|:steps:N|:to:V)', 'strata rollback --help'],
    [['status', 'now'], 'unexpected argument "now" for status', 'strata status --help'],
    [['help', 'frobnicate'], 'unknown command "frobnicate"', 'strata --help'],
    [['--json=yes', 'status'], 'option --json does not take a value', 'strata status --help'],
    [[], 'no command given', 'strata --help'],
  ])('refuses %j with exit 2 and a pointer to help', (args, message, help) => {
    const box = sandbox();
    const result = box.run(args);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.split('\n');
    expect(lines[0]).toMatch(new RegExp(`^error: ${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    expect(lines[1]).toBe(`Run "${help}" for usage.`);
    expect(lines).toHaveLength(3);
  });

  it.each([
    [['--frob', 'status', '--json'], 'unknown option --frob for status'],
    [['status', '--json', 'now'], 'unexpected argument "now" for status'],
    [
      ['--json', '--driver', 'postgres', 'status'],
      '--driver must be one of better-sqlite3, sqljs, libsql, rqlite, not "postgres"',
    ],
  ])('answers %j with exit 2 and the error as a JSON document on stdout', (args, message) => {
    const result = sandbox().run(args);
    expect(result).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(result.stdout)).toEqual({ error: { code: 'USAGE_ERROR', message } });
  });
});
