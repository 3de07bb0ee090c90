import type { RollbackTarget } from '@strata/core';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';
import { runText } from './migrate.js';

/**
 * `rollback V | --last | --steps N | --to V [--cascade] [--dry-run]`: roll back one migration, the last ones applied,
 * or everything after a version, with their down.sql.
 */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'roll back one migration, the last N applied, or everything after V',
  usage: ['rollback V [--cascade] [--dry-run]', 'rollback --last | --steps N | --to V [--cascade] [--dry-run]'],
  description: [
    'Rolls back migration V, the migration applied last (--last), the N applied last (--steps N), or every applied',
    'migration that comes after V in run order (--to V; V stays applied). Each runs its down.sql and deletes its',
    'history row in one transaction, dependents before what they depend on, newest first. Refused, changing',
    'nothing, while another applied migration depends on one of them (DEPENDENTS_APPLIED), unless --cascade, which',
    'rolls those back first. A migration without down.sql, or whose down.sql is empty or only comments, is',
    'irreversible (IRREVERSIBLE). The colon forms rollback:V, rollback:last, rollback:steps:N and rollback:to:V',
    'mean the same (see the command grammar in the README).',
  ].join('\n'),
  options: {
    last: { type: 'boolean', description: 'roll back the migration applied last' },
    steps: { type: 'string', value: 'N', description: 'roll back the N migrations applied last, newest first' },
    to: { type: 'string', value: 'V', description: 'roll back every applied migration after V (V stays applied)' },
    cascade: { type: 'boolean', description: 'roll back the applied migrations that depend on them first' },
    'dry-run': { type: 'boolean', description: 'print the down.sql that would run, in order, and change nothing' },
  },
  args: [{ name: 'version', required: false, format: 'version' }],
  async run({ values, args, open }) {
    const target = targetOf(values, args[0]);
    const dryRun = values['dry-run'] === true;
    const { manager } = await open({ write: !dryRun });
    const report = await manager.rollback(target, { cascade: values.cascade === true, dryRun });
    return { data: report, exitCode: 0, render: (view) => view.out(runText(report, undefined).join('\n')) };
  },
};

/** What the command line asks to roll back: exactly one of V, --last, --steps N and --to V. */
function targetOf(
  values: Readonly<Record<string, string | boolean | readonly string[] | undefined>>,
  version: string | undefined,
): RollbackTarget {
  const { last, steps, to } = values;
  const given = [version !== undefined, last === true, typeof steps === 'string', typeof to === 'string'];
  const count = given.filter(Boolean).length;
  if (count !== 1) {
    const hint = last === true && version !== undefined ? lastWithNumberHint(version) : '';
    throw new UsageError(
      `rollback needs exactly one of a version V, --last, --steps N or --to V, not ${count === 0 ? 'none' : count}${hint}`,
      'rollback',
    );
  }
  if (typeof steps === 'string') {
    if (!/^[1-9]\d*$/.test(steps) || !Number.isSafeInteger(Number(steps))) {
      throw new UsageError(`--steps must be a whole number of at least 1, not "${steps}"`, 'rollback');
    }
    return { steps: Number(steps) };
  }
  if (typeof to === 'string') return { to };
  if (last === true) return { steps: 1 };
  return version ?? '';
}

/**
 * For `rollback --last N`, what was likely meant: `--steps N` when N is a count, and the rollback of migration N alone
 * when N can be a version (at least three digits, so `002` is one and never a count).
 */
function lastWithNumberHint(version: string): string {
  if (!/^\d+$/.test(version)) return '';
  const meant = [
    ...(/^[1-9]\d*$/.test(version) ? [`for the last ${version}, write --steps ${version}`] : []),
    ...(version.length >= 3 ? [`to roll back migration ${version} alone, leave out --last`] : []),
  ];
  return ` (${meant.join('; ')})`;
}
