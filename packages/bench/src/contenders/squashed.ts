import { execFileSync } from 'node:child_process';
import type { Contender } from '../contender.js';
import { writeStrataLayout } from '../corpus.js';
import { strataBetterSqlite3 } from './strata.js';

/**
 * Strata on better-sqlite3 with the corpus squashed: the layout is Strata's, then `squash --to <last>
 * --remove-replaced` turns it into one migration, so a cold run compares a new database made from the squash with one
 * made from every migration (the row of `strata-better-sqlite3`). It runs on the schema corpora only: squashing the
 * data-heavy migration would only write its rows out again.
 */
export const squashedBetterSqlite3: Contender = {
  ...strataBetterSqlite3,
  id: 'squashed-better-sqlite3',
  label: `${strataBetterSqlite3.label}, squashed into one migration`,
  schemaOnly: true,
  async writeLayout(migrations, dir) {
    await writeStrataLayout(migrations, dir);
    const last = migrations.at(-1)?.version;
    if (last === undefined) return;
    const { args } = strataBetterSqlite3.invocation('up', dir, '');
    const bin = args[0] ?? '';
    execFileSync(process.execPath, [bin, 'squash', '--to', last, '--remove-replaced', '--dir', dir], { stdio: 'ignore' });
  },
};
