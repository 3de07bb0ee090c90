import type { Command } from './command.js';
import { runText } from './migrate.js';

/** `rollback:V` / `rollback V [--cascade] [--dry-run]`: roll back one migration with its down.sql. */
export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'roll back one migration',
  usage: ['rollback:V [--cascade] [--dry-run]', 'rollback V [--cascade] [--dry-run]'],
  description: [
    'Rolls back migration V: runs its down.sql and deletes its history row in one transaction. Refused while an',
    'applied migration depends on V (DEPENDENTS_APPLIED), unless --cascade, which rolls those back first, newest',
    'first. A migration without down.sql cannot be rolled back (IRREVERSIBLE).',
  ].join('\n'),
  options: {
    cascade: { type: 'boolean', description: 'roll back the applied migrations that depend on V first' },
    'dry-run': { type: 'boolean', description: 'print the down.sql that would run, in order, and change nothing' },
  },
  args: [{ name: 'version', required: true }],
  async run({ values, args, open }) {
    const [version = ''] = args;
    const dryRun = values['dry-run'] === true;
    const { manager } = await open({ write: !dryRun });
    const report = await manager.rollbackMigration(version, { cascade: values.cascade === true, dryRun });
    return { data: report, exitCode: 0, render: (view) => view.out(runText(report, undefined).join('\n')) };
  },
};
