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
  ].join('\n'),
  options: { parity: parityOption },
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
    const report = await manager.validate();
    const { order, problems, warnings } = report;
    return {
      data: report,
      exitCode: problems.length > 0 ? 1 : 0,
      render: (view) => {
        for (const warning of warnings) view.err(warningLines(warning, view.errColor).join('\n'));
        if (problems.length === 0) {
          view.out(`OK: ${plural(order.length, 'migration')}, no problems.`);
          return;
        }
        for (const problem of problems) view.err(errorLines(problem, view.errColor, false).join('\n'));
        view.err(`validate: ${plural(problems.length, 'problem')} found.`);
      },
    };
  },
};
