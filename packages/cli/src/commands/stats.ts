import { isServerDatabase } from '../database-url.js';
import { shownPath } from '../render/paths.js';
import { type CliStats, statsLines } from '../render/stats.js';
import type { Command } from './command.js';

/** `stats`: table row counts, file size and pages, migrations, integrity checks and one health verdict. */
export const statsCommand: Command = {
  name: 'stats',
  summary: 'row counts, file size, pages, integrity checks, migrations, health',
  usage: ['stats'],
  description: [
    'Reports the database: its file and WAL size, pages and free pages, journal mode, every table with its row',
    'count, the applied and pending migrations with how long each took, the results of quick_check and',
    'foreign_key_check, and a health verdict: ok, warning (pending migrations, much free space) or error (damage,',
    'foreign key violations, an edited or missing applied migration), with the reasons. Changes nothing. The',
    "database file must exist. A server's database (--driver rqlite, libsql by URL) has no file here: its size is",
    'the pages its engine reports, and --json gives "file": null.',
  ].join('\n'),
  options: {},
  args: [],
  notes:
    'Exit codes: 0 when health is ok or warning; 1 when health is error, or the database does not exist or cannot\nbe read; 2 a usage error.',
  async run({ settings, open }) {
    const file = settings.databaseFile;
    const { manager } = await open({ write: false, existing: '; run migrate to create it' });
    // What DatabaseManager.stats() reports, from this read-only session: DatabaseManager would open for writing. A
    // server's database has no file here to size: the pages the engine reports are its size.
    const { databaseFileStats } = await import('@strata/core/node/operations');
    const server = isServerDatabase(settings.driver, file);
    const stats: CliStats = { ...(await manager.stats()), file: server ? null : await databaseFileStats(file) };
    const failed = stats.health.status === 'error';
    return {
      data: stats,
      exitCode: failed ? 1 : 0,
      render: (view) => {
        view.out(statsLines(stats, shownPath(settings.cwd, file), settings.driver, view.color).join('\n'));
        // stdout may be going to a file; stderr still says why the exit code is 1.
        if (failed) view.err(`${view.errColor.red('stats')}: health is error: ${stats.health.reasons.join('; ')}`);
      },
    };
  },
};
