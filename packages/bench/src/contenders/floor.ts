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
export const floorSqlJs = floor('sql.js');
