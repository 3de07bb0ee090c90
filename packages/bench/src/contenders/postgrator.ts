import { type Contender, nodeScript, writeEachMigration } from '../contender.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('postgrator');

/**
 * postgrator with a better-sqlite3 connection of its own. postgrator has no transaction of its own, so every generated
 * `NNN.do.name.sql` / `NNN.undo.name.sql` wraps the migration's SQL in `BEGIN;` … `COMMIT;` (what its README advises).
 */
export const contender: Contender = {
  id: 'postgrator',
  label: `postgrator ${toolVersion} (better-sqlite3)`,
  floor: 'floor-better-sqlite3',
  rollsBack: true,
  writeLayout: (migrations, dir) =>
    writeEachMigration(migrations, dir, (m) => ({
      [`${m.version}.do.${m.name}.sql`]: `BEGIN;\n\n${m.up}\nCOMMIT;\n`,
      [`${m.version}.undo.${m.name}.sql`]: `BEGIN;\n\n${m.down}\nCOMMIT;\n`,
    })),
  invocation: nodeScript('postgrator'),
  versions(): Record<string, string> {
    return { postgrator: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
