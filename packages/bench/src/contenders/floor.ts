import { createRequire } from 'node:module';
import { type Contender, nodeScript } from '../contender.js';
import { writeStrataLayout } from '../corpus.js';
import { packageVersion } from '../versions.js';

const _require = createRequire(import.meta.url);

function floor(library: 'better-sqlite3' | 'sql.js'): Contender {
  const id = library === 'sql.js' ? 'floor-sqljs' : 'floor-better-sqlite3';
  return {
    id,
    label: `floor (bare ${library} script)`,
    floor: id,
    rollsBack: true,
    // The floor reads the same folders as Strata (it only ever opens up.sql or down.sql).
    writeLayout: writeStrataLayout,
    invocation: nodeScript(id),
    versions: () => ({ [library]: packageVersion(library) }),
  };
}

export const floorBetterSqlite3 = floor('better-sqlite3');

/**
 * A reference, not a tool: the better-sqlite3 floor that also lists every migration folder and reads every file in
 * it (meta.yaml, and down.sql or up.sql besides the one it runs), parsing none. What it costs beyond the floor is the
 * least that checking every migration's files at each start costs.
 */
export const floorReadingAll: Contender = {
  ...floorBetterSqlite3,
  id: 'floor-reads-all-better-sqlite3',
  label: 'floor, also reading every file (reference)',
  invocation(action, layoutDir, db) {
    const invocation = floorBetterSqlite3.invocation(action, layoutDir, db);
    return { ...invocation, env: { STRATA_FLOOR_READS: 'all' } };
  },
};
export const floorSqlJs = floor('sql.js');
