import { parityNotes, parityOption, parityOutcome } from '../parity.js';
import { errorLines, warningLines } from '../render/error.js';
import { plural } from '../render/steps.js';
import type { Command } from './command.js';

/** `validate`: check the migrations and the checksums of applied ones, change nothing. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check names, meta, dependencies, cycles and checksums',
  usage: ['validate', 'validate --parity'],
  description: [
    'Checks the migrations folder (folder names, up.sql present, meta.yaml keys, duplicate versions, missing',
    'dependencies, cycles) and compares the checksums of applied migrations with their up.sql. Changes nothing;',
    'a database file that does not exist yet is not created.',
    '',
    "It also compares the database's schema with the one its applied migrations build, replayed on an empty database",
    'in memory of the same driver: each table, column, index, view or trigger added, removed or changed outside the',
    'migrations is a SCHEMA_DRIFT problem. The check is skipped, saying why on stderr, while the history does not',
    'match the folder or when an applied migration fails on the empty database; --no-drift leaves it out.',
  ].join('\n'),
  options: {
    'no-drift': { type: 'boolean', description: 'do not compare the schema with the one the applied migrations build' },
    parity: parityOption,
  },
  args: [],
  notes: [
    'Warnings (a down.sql that is empty or only comments: that migration is irreversible) are printed on stderr and',
    'leave the exit code alone. Exit codes: 0 no problems; 1 problems found (each printed on stderr) or a database',
    'error; 2 a usage error.',
    '',
    parityNotes,
  ].join('\n'),
  async run({ open, values, settings }) {
    if (values.parity === true) return parityOutcome(settings);
    const { manager } = await open({ write: false });
    const report = await manager.validate({ drift: values['no-drift'] !== true });
    const { order, problems, warnings, driftSkipped } = report;
    return {
      data: report,
      exitCode: problems.length > 0 ? 1 : 0,
      render: (view) => {
        for (const warning of warnings) view.err(warningLines(warning, view.errColor).join('\n'));
        // Last, after what was checked: a skipped check is no problem, but the exit code alone would not tell.
        const skipped = () => {
          if (driftSkipped !== undefined) view.err(`${view.errColor.yellow('note')}: drift not checked: ${driftSkipped}`);
        };
        if (problems.length === 0) {
          view.out(`OK: ${plural(order.length, 'migration')}, no problems.`);
          skipped();
          return;
        }
        for (const problem of problems) view.err(errorLines(problem, view.errColor, false).join('\n'));
        view.err(`validate: ${plural(problems.length, 'problem')} found.`);
        skipped();
      },
    };
  },
};
