import { summarize } from '@strata/core';
import { concurrencyOption } from '../many/options.js';
import { shownPath } from '../render/paths.js';
import { statusLines } from '../render/status.js';
import { canReplay, refuseReplayOption } from '../scratch.js';
import type { Command } from './command.js';

/** `status`: applied and pending migrations, and problems. */
export const statusCommand: Command = {
  name: 'status',
  summary: 'show applied and pending migrations, and problems',
  usage: ['status [--no-drift] [--phases]', "status --db 'tenants/*.db' [--concurrency N]"],
  description: [
    'Lists the applied migrations with the time each was applied (UTC), the pending ones in the order they would',
    'run, and problems: invalid migration folders, applied migrations whose up.sql was edited (CHECKSUM_MISMATCH),',
    'applied migrations whose folder is gone (APPLIED_MISSING). Changes nothing; a database file that does not',
    'exist yet is not created: status says so and lists every migration as pending. When the history table (--table)',
    'does not exist but another table shaped like one does, status names it. A file that is not SQLite, or damage',
    'that SQLite meets reading the schema or the history, is a DATABASE_ERROR naming the file; damage in the pages',
    'of other tables is not read here, so only stats (quick_check) finds it.',
    '',
    'It also looks for drift: the applied migrations are replayed, in the order the history lists them, on an empty',
    "database in memory of the same driver, and that schema is compared with the database's (the history table and",
    "SQLite's own tables left out). A table, column, index, view or trigger added, removed or changed outside the",
    'migrations is listed under "Drift:" and is a SCHEMA_DRIFT problem. The check is skipped, saying why, while the',
    'history does not match the folder (CHECKSUM_MISMATCH, APPLIED_MISSING, an invalid folder) or when an applied',
    'migration fails on the empty database; --no-drift leaves it out. A driver without a database in memory of its',
    'engine (rqlite) has no drift check, and no Drift section; --phases is then a usage error.',
    '',
    'With --phases, pending migrations are classified for blue-green deployments on a replay: expand when the',
    'previous version of the application keeps working after them, contract otherwise, each with what it changes',
    '(see migrate --phase), in a Phases section and in --json; a migration whose meta.yaml says phase: expand but',
    'that is a contract migration is then a PHASE_MISMATCH problem.',
    '',
    'Many databases: with --db a glob, @FILE or given several times (see migrate --help), status summarises them:',
    'how many databases are at each version, which are behind (with their count of pending migrations), and which',
    'have problems (CHECKSUM_MISMATCH, APPLIED_MISSING) or cannot be read (a file that is not SQLite, that does not',
    'exist, that cannot be opened), --concurrency N at once. Drift is not checked there, nor --phases.',
  ].join('\n'),
  options: {
    'no-drift': { type: 'boolean', description: 'do not compare the schema with the one the applied migrations build' },
    phases: { type: 'boolean', description: 'classify each pending migration as expand or contract, with its changes' },
    concurrency: concurrencyOption,
  },
  args: [],
  notes:
    'Exit codes: 0 when there are no problems, pending migrations or not; 1 when there are problems or the\ndatabase (over many: any database) cannot be read; 2 a usage error.',
  many: { options: ['concurrency'], run: async (input) => (await import('../many/status.js')).statusManyCommand(input) },
  async run({ open, settings, values }) {
    const { manager, existed, history, driver } = await open({ write: false });
    if (values.phases === true) refuseReplayOption(driver, '--phases', 'status');
    // Drift is found on a replay: a driver without a scratch database (rqlite) has no such check to report.
    const drift = values['no-drift'] !== true && canReplay(driver);
    const report = await manager.status({ drift, phases: values.phases === true });
    const { problems } = report;
    const noneBecause = !existed
      ? `database ${shownPath(settings.cwd, settings.databaseFile)} does not exist yet; migrate creates it`
      : !history.exists && history.others.length > 0
        ? `history table ${history.table} does not exist; this database records its migrations in ${history.others.join(' and ')}: pass --table ${history.others[0]}`
        : undefined;
    return {
      data: report,
      exitCode: problems.length > 0 ? 1 : 0,
      render: (view) => {
        view.out(statusLines(report, view.color, noneBecause).join('\n'));
        // stdout may be going to a file or a pager; stderr still says why the exit code is 1.
        if (problems.length > 0) {
          // The version, or for a folder that has none (a bad name) its file, so stderr alone says where to look.
          const codes = problems.map((p) => {
            const where = p.version ?? p.file;
            return where === undefined ? p.code : `${p.code} (${where})`;
          });
          view.err(
            `${view.errColor.red('status')}: ${problems.length} problem${problems.length === 1 ? '' : 's'} found: ${summarize(codes)}`,
          );
        }
      },
    };
  },
};
