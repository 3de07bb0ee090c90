import {
  type CommandResult,
  type CommandTarget,
  commandWords,
  type DatabaseStats,
  type ErrorCode,
  parseCommand,
  RunError,
  type RunReport,
  runCommand,
  StrataError,
  ValidationError,
} from '@strata/core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { expectPlainData } from '../../../test/support/contract-stats.js';

const report: RunReport = { direction: 'up', dryRun: false, steps: [] };
const stats = { tables: [], health: { status: 'ok', reasons: [] } } as unknown as DatabaseStats;
const mismatch = new StrataError('CHECKSUM_MISMATCH', 'migration 001 was edited', { version: '001', file: '001_a/up.sql' });

/** A stand-in manager that records how it was called and answers with canned data, or throws `failure`. */
function fakeManager(failure?: unknown): CommandTarget & { calls: unknown[][] } {
  const calls: unknown[][] = [];
  const answer = async <T>(call: unknown[], value: T): Promise<T> => {
    calls.push(call);
    if (failure !== undefined) throw failure;
    return value;
  };
  return {
    calls,
    migrate: (options) => answer(['migrate', options], report),
    rollback: (target, options) => answer(['rollback', target, options], { ...report, direction: 'down' }),
    status: () => answer(['status'], { applied: [], pending: [{ version: '002', name: 'b' }], problems: [mismatch] }),
    validate: () => answer(['validate'], { order: [{ version: '001', name: 'a' }], problems: [mismatch], warnings: [] }),
    stats: () => answer(['stats'], stats),
  };
}

describe('parseCommand', () => {
  const rollback = (target: object, cascade = false, dryRun = false) => ({ name: 'rollback', target, cascade, dryRun });
  it.each([
    ['migrate', { name: 'migrate', dryRun: false, ignoreMissing: false }],
    ['migrate:003', { name: 'migrate', to: '003', dryRun: false, ignoreMissing: false }],
    ['migrate:to:003', { name: 'migrate', to: '003', dryRun: false, ignoreMissing: false }],
    ['migrate:dry-run', { name: 'migrate', dryRun: true, ignoreMissing: false }],
    ['migrate:3:dry-run', { name: 'migrate', to: '3', dryRun: true, ignoreMissing: false }],
    ['migrate:ignore-missing:dry-run', { name: 'migrate', dryRun: true, ignoreMissing: true }],
    ['rollback:002', rollback({ version: '002' })],
    ['rollback:002:cascade', rollback({ version: '002' }, true)],
    ['rollback:002:dry-run:cascade', rollback({ version: '002' }, true, true)],
    ['rollback:last', rollback({ steps: 1 })],
    ['rollback:last:cascade', rollback({ steps: 1 }, true)],
    ['rollback:steps:3:dry-run', rollback({ steps: 3 }, false, true)],
    ['rollback:to:001', rollback({ to: '001' })],
    ['status', { name: 'status' }],
    ['validate', { name: 'validate' }],
    ['stats', { name: 'stats' }],
  ])('reads %s', (command, parsed) => {
    expect(parseCommand(command)).toEqual(parsed);
  });

  it.each([
    ['migrate:002', ['migrate', '--to', '002']],
    ['migrate:to:002:dry-run', ['migrate', '--to', '002', '--dry-run']],
    ['rollback:001:cascade', ['rollback', '001', '--cascade']],
    ['rollback:last:dry-run', ['rollback', '--steps', '1', '--dry-run']],
    ['rollback:steps:3', ['rollback', '--steps', '3']],
    ['rollback:to:001', ['rollback', '--to', '001']],
    ['stats', ['stats']],
  ])('spells %s in the words of the CLI', (command, words) => {
    expect(commandWords(parseCommand(command))).toEqual(words);
  });

  const forms =
    'migrate[:V|:to:V][:dry-run][:ignore-missing], rollback(:V|:last|:steps:N|:to:V)[:cascade][:dry-run], status, validate, stats';
  it('names every form when the command is unknown', () => {
    expect(() => parseCommand('upgrade')).toThrow(
      new StrataError('INVALID_OPTION', `unknown command "upgrade"; expected one of ${forms}`),
    );
  });

  const rollbackForm =
    'rollback(:V|:last|:steps:N|:to:V)[:cascade][:dry-run], where V is a version number such as 003 and N a count of at least 1';
  const migrateForm = 'migrate[:V|:to:V][:dry-run][:ignore-missing], where V is a version number such as 003';
  it.each([
    ['rollback', rollbackForm],
    ['rollback:cascade', rollbackForm],
    ['rollback:001:cascade:cascade', rollbackForm],
    ['rollback:steps:0', rollbackForm],
    ['rollback:steps:99999999999999999999', rollbackForm],
    ['rollback:steps', rollbackForm],
    ['rollback:to', rollbackForm],
    ['rollback:last:2', rollbackForm],
    ['migrate:latest', migrateForm],
    ['migrate:to', migrateForm],
    ['migrate:dry-run:001', migrateForm],
    ['migrate:001:cascade', migrateForm],
    ['status:all', 'status'],
  ])('refuses the malformed %s', (command, expected) => {
    expect(() => parseCommand(command)).toThrow(`malformed command ${JSON.stringify(command)}; expected ${expected}`);
  });

  it('is exact about case and spaces', () => {
    for (const command of ['Migrate', ' status', 'stats ', 'rollback: 001', '']) {
      expect(() => parseCommand(command)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
  });
});

describe('runCommand', () => {
  it('passes each command to the manager with its options', async () => {
    const manager = fakeManager();
    for (const command of [
      'migrate',
      'migrate:002:dry-run',
      'rollback:003',
      'rollback:1:cascade:dry-run',
      'rollback:last',
      'rollback:steps:2:dry-run',
      'rollback:to:001',
      'migrate:ignore-missing',
      'status',
      'validate',
      'stats',
    ]) {
      expect(await runCommand(manager, command)).toMatchObject({ ok: true, command, name: command.split(':')[0] });
    }
    expect(manager.calls).toEqual([
      ['migrate', { dryRun: false, ignoreMissing: false }],
      ['migrate', { to: '002', dryRun: true, ignoreMissing: false }],
      ['rollback', { version: '003' }, { cascade: false, dryRun: false }],
      ['rollback', { version: '1' }, { cascade: true, dryRun: true }],
      ['rollback', { steps: 1 }, { cascade: false, dryRun: false }],
      ['rollback', { steps: 2 }, { cascade: false, dryRun: true }],
      ['rollback', { to: '001' }, { cascade: false, dryRun: false }],
      ['migrate', { dryRun: false, ignoreMissing: true }],
      ['status'],
      ['validate'],
      ['stats'],
    ]);
  });

  it('returns status and validation problems as plain data that survives structured clone and JSON', async () => {
    const manager = fakeManager();
    const status = await runCommand(manager, 'status');
    const plainProblem = { code: 'CHECKSUM_MISMATCH', message: 'migration 001 was edited', version: '001', file: '001_a/up.sql' };
    expect(status).toStrictEqual({
      ok: true,
      command: 'status',
      name: 'status',
      result: { applied: [], pending: [{ version: '002', name: 'b' }], problems: [plainProblem] },
    });
    const validation = await runCommand(manager, 'validate');
    expect(validation).toMatchObject({ ok: true, result: { problems: [plainProblem] } });
    for (const result of [status, validation]) expectPlainData(result);
  });

  it('keeps the drift a report carries, and why a drift check was skipped, as plain data', async () => {
    const drift = [{ kind: 'index', name: 'idx_x', change: 'added', message: 'index idx_x added' }] as const;
    const problem = new StrataError('SCHEMA_DRIFT', 'the database schema is not the one its applied migrations build');
    const manager: CommandTarget = {
      ...fakeManager(),
      status: async () => ({ applied: [], pending: [], problems: [problem], drift }),
      validate: async () => ({ order: [], problems: [], warnings: [], driftSkipped: 'migration 001 fails' }),
    };
    const status = await runCommand(manager, 'status');
    expect(status).toStrictEqual({
      ok: true,
      command: 'status',
      name: 'status',
      result: { applied: [], pending: [], problems: [problem.toJSON()], drift },
    });
    const validation = await runCommand(manager, 'validate');
    expect(validation).toStrictEqual({
      ok: true,
      command: 'validate',
      name: 'validate',
      result: { order: [], problems: [], warnings: [], driftSkipped: 'migration 001 fails' },
    });
    for (const result of [status, validation]) expectPlainData(result);
  });

  it('answers an unknown or malformed command with INVALID_OPTION, asking nothing of the manager', async () => {
    const manager = fakeManager();
    const outcome = await runCommand(manager, 'drop-everything');
    expect(outcome).toStrictEqual({
      ok: false,
      command: 'drop-everything',
      error: {
        code: 'INVALID_OPTION',
        message:
          'unknown command "drop-everything"; expected one of migrate[:V|:to:V][:dry-run][:ignore-missing], rollback(:V|:last|:steps:N|:to:V)[:cascade][:dry-run], status, validate, stats',
      },
    });
    expect(await runCommand(manager, 'rollback')).toMatchObject({ ok: false, error: { code: 'INVALID_OPTION' } });
    // What an IPC channel delivers is not checked by the compiler.
    expect(await runCommand(manager, 42 as unknown as string)).toMatchObject({
      ok: false,
      command: '42',
      error: { code: 'INVALID_OPTION', message: expect.stringMatching(/^unknown command "42"/) },
    });
    expect(manager.calls).toEqual([]);
  });

  it('serialises what the manager throws: a StrataError, every problem of a ValidationError, the report of a RunError', async () => {
    const refused = new StrataError('DEPENDENTS_APPLIED', 'roll 002 back first', { version: '001' });
    expect(await runCommand(fakeManager(refused), 'rollback:001')).toStrictEqual({
      ok: false,
      command: 'rollback:001',
      error: { code: 'DEPENDENTS_APPLIED', message: 'roll 002 back first', version: '001' },
    });
    const two = new ValidationError([mismatch, new StrataError('APPLIED_MISSING', 'gone', { version: '009' })]);
    const invalid = await runCommand(fakeManager(two), 'migrate');
    expect(invalid).toMatchObject({
      ok: false,
      error: {
        code: 'VALIDATION_FAILED',
        problems: [{ code: 'CHECKSUM_MISMATCH' }, { code: 'APPLIED_MISSING', version: '009' }],
      },
    });
    const failedStep = { version: '002', name: 'b', folder: '002_b', status: 'failed' as const };
    const run = new RunError(new StrataError('MIGRATION_FAILED', 'no such table: x', { version: '002' }), {
      ...report,
      steps: [failedStep],
    });
    const failed = await runCommand(fakeManager(run), 'migrate');
    expect(failed).toMatchObject({ ok: false, error: { code: 'MIGRATION_FAILED', report: { steps: [failedStep] } } });
    for (const outcome of [invalid, failed]) expectPlainData(outcome);
  });

  it('reports what a driver threw as DATABASE_ERROR, and rethrows programming errors', async () => {
    expect(await runCommand(fakeManager(new Error('database is locked')), 'status')).toStrictEqual({
      ok: false,
      command: 'status',
      error: { code: 'DATABASE_ERROR', message: 'database is locked' },
    });
    await expect(runCommand(fakeManager(new TypeError('x is not a function')), 'stats')).rejects.toThrow(TypeError);
  });

  it('types the result by the command a literal names', async () => {
    const manager = fakeManager();
    const outcome = await runCommand(manager, 'stats');
    expectTypeOf(outcome).toEqualTypeOf<CommandResult<'stats'>>();
    if (outcome.ok) expectTypeOf(outcome.result).toEqualTypeOf<DatabaseStats>();
    expectTypeOf(await runCommand(manager, 'rollback:001:cascade')).toEqualTypeOf<CommandResult<'rollback'>>();
    expectTypeOf(await runCommand(manager, 'nonsense')).toEqualTypeOf<CommandResult<never>>();
    const any = await runCommand(manager, String('status'));
    expectTypeOf(any).toEqualTypeOf<CommandResult>();
    if (any.ok && any.name === 'validate') expectTypeOf(any.result.problems[0]?.code).toEqualTypeOf<ErrorCode | undefined>();
  });
});
