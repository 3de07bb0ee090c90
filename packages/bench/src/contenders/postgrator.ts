import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Action, Contender, Invocation } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
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
  async writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const migration of migrations) {
      await writeFile(join(dir, `${migration.version}.do.${migration.name}.sql`), `BEGIN;\n\n${migration.up}\nCOMMIT;\n`);
      await writeFile(join(dir, `${migration.version}.undo.${migration.name}.sql`), `BEGIN;\n\n${migration.down}\nCOMMIT;\n`);
    }
  },
  invocation(action: Action, layoutDir: string, db: string): Invocation {
    return {
      file: process.execPath,
      args: [fileURLToPath(new URL('./postgrator-run.js', import.meta.url)), action, layoutDir, db],
    };
  },
  versions(): Record<string, string> {
    return { postgrator: toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
