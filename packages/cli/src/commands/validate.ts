import { concurrencyOption } from '../many/options.js';
import { parityNotes, parityOption, parityOutcome } from '../parity.js';
import { errorLines, warningLines } from '../render/error.js';
import { phaseEntryLines } from '../render/phases.js';
import { notReplayedLines, roundTripLines } from '../render/replay.js';
import { plural } from '../render/steps.js';
import { refuseReplayOption } from '../scratch.js';
import { UsageError } from '../usage-error.js';
import type { Command } from './command.js';

/** `validate`: check the migrations and the checksums of applied ones, and replay them in memory; change nothing. */
export const validateCommand: Command = {
  name: 'validate',
  summary: 'check names, meta, dependencies, cycles, checksums and drift, and replay the migrations in memory',
  usage: [
    'validate [--no-replay | --round-trip] [--no-drift] [--phases]',
    'validate --parity',
    "validate --db 'tenants/*.db' [--no-replay] [--concurrency N]",
  ],
  description: [
    'Checks the migrations folder (folder names, up.sql present, meta.yaml keys, duplicate versions, missing',
    'dependencies, cycles) and compares the checksums of applied migrations with their up.sql. Then replays every',
    'migration, applied or not, in run order on an empty database in memory of the chosen driver, so that SQL that',
    'would fail (a syntax error, a missing table) is found with its file, line and column (REPLAY_FAILED) before a',
    'real database runs it; the migrations that depend on one that failed are listed as not replayed. With',
    '--round-trip, each migration with a down.sql is also rolled back there and applied again: down.sql must bring',
    'back the schema and the rows from before up.sql, and up.sql must then build the same again (ROUND_TRIP_FAILED).',
    'Changes nothing; a database file that does not exist yet is not created.',
    '',
    "It also compares the database's schema with the one its applied migrations build, replayed on an empty database",
    'in memory of the same driver: each table, column, index, view or trigger added, removed or changed outside the',
    'migrations is a SCHEMA_DRIFT problem. The check is skipped, saying why on stderr, while the history does not',
    'match the folder or when an applied migration fails on the empty database; --no-drift leaves it out.',
    '',
    'A driver without a database in memory of its engine (rqlite) cannot replay: every other check runs, and a note',
    'on stderr (and "replaySkipped" in --json) says the replay and drift check were skipped; --round-trip and',
    '--phases, which only a replay answers, are then a usage error.',
    '',
    'A migration whose meta.yaml says phase: expand is classified on a replay (see migrate --phase): one that would',
    'break the previous version of the application is a PHASE_MISMATCH problem naming what breaks it. --phases prints',
    "every migration's phase, expand or contract, with each change it makes to the schema.",
    '',
    'Many databases: with --db a glob, @FILE or given several times (see migrate --help), the folder is checked and',
    "replayed once, then each database's history is compared with it (CHECKSUM_MISMATCH, APPLIED_MISSING, a file",
    'that cannot be read), --concurrency N at once. Drift, --round-trip, --phases and --parity are for one database.',
  ].join('\n'),
  options: {
    'no-replay': { type: 'boolean', description: 'skip the replay in memory: check files, dependencies and checksums only' },
    'round-trip': { type: 'boolean', description: 'also check that each down.sql undoes its up.sql, on the replay' },
    'no-drift': { type: 'boolean', description: 'do not compare the schema with the one the applied migrations build' },
    phases: { type: 'boolean', description: "print each migration's deployment phase (expand or contract) and its changes" },
    parity: parityOption,
    concurrency: concurrencyOption,
  },
  args: [],
  many: { options: ['concurrency'], run: async (input) => (await import('../many/validate.js')).validateManyCommand(input) },
  notes: [
    'A migration that needs what an empty database in memory cannot have (a file to ATTACH, a loadable extension)',
    'fails the replay: skip it with --no-replay. Warnings (a down.sql that is empty or only comments: that migration',
    'is irreversible) are printed on stderr and leave the exit code alone. Exit codes: 0 no problems; 1 problems found',
    '(each printed on stderr) or a database error; 2 a usage error.',
    '',
    parityNotes,
  ].join('\n'),
  async run({ open, values, settings }) {
    if (values.parity === true) return parityOutcome(settings);
    const roundTrip = values['round-trip'] === true;
    // Round trips run on the replay: skipping it and asking for them says two things at once.
    if (roundTrip && values['no-replay'] === true)
      throw new UsageError('--round-trip runs on the replay that --no-replay skips; give one of them', 'validate');
    const { manager, driver } = await open({ write: false });
    if (roundTrip) refuseReplayOption(driver, '--round-trip', 'validate');
    if (values.phases === true) refuseReplayOption(driver, '--phases', 'validate');
    const report = await manager.validate({
      // Left to its default unless skipped: a driver without a scratch database then reports the replay skipped.
      ...(values['no-replay'] === true ? { replay: false } : {}),
      roundTrip,
      drift: values['no-drift'] !== true,
      phases: values.phases === true,
    });
    const { order, problems, warnings, driftSkipped, replaySkipped } = report;
    return {
      data: report,
      exitCode: problems.length > 0 ? 1 : 0,
      render: (view) => {
        for (const line of roundTripLines(report.roundTrips ?? [], view.color)) view.out(line);
        if (report.phases !== undefined && report.phases.length > 0) {
          view.out(['Phases:', ...report.phases.flatMap((p) => phaseEntryLines(p, view.color))].join('\n'));
        }
        for (const warning of warnings) view.err(warningLines(warning, view.errColor).join('\n'));
        // Last, after what was checked: a skipped check is no problem, but the exit code alone would not tell.
        const skipped = () => {
          const note = (text: string) => view.err(`${view.errColor.yellow('note')}: ${text}`);
          if (replaySkipped !== undefined && driftSkipped === replaySkipped) {
            note(`migrations not replayed and drift not checked: ${replaySkipped}`);
            return;
          }
          if (replaySkipped !== undefined) note(`migrations not replayed: ${replaySkipped}`);
          if (driftSkipped !== undefined) note(`drift not checked: ${driftSkipped}`);
        };
        if (problems.length === 0) {
          view.out(`OK: ${plural(order.length, 'migration')}, no problems.`);
          skipped();
          return;
        }
        for (const problem of problems) view.err(errorLines(problem, view.errColor, false).join('\n'));
        for (const line of notReplayedLines(report.notReplayed ?? [])) view.err(line);
        view.err(`validate: ${plural(problems.length, 'problem')} found.`);
        skipped();
      },
    };
  },
};
