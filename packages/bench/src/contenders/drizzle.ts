import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Action, type Contender, type Invocation, nodeScript } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('drizzle-orm');

/** drizzle-kit's `when` is the generation time in ms; the migrator applies entries whose `when` is newer than the last. */
const FIRST_WHEN = Date.UTC(2026, 0, 1);

/**
 * drizzle-orm's better-sqlite3 migrator on a drizzle-kit layout: `meta/_journal.json` plus `NNNN_tag.sql`, statements
 * separated by `--> statement-breakpoint`. drizzle has no down migrations.
 */
const run = nodeScript('drizzle');

export const contender: Contender = {
  id: 'drizzle',
  label: `drizzle-orm ${toolVersion} (better-sqlite3)`,
  floor: 'floor-better-sqlite3',
  rollsBack: false,
  async writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
    await mkdir(join(dir, 'meta'), { recursive: true });
    const width = Math.max(4, String(migrations.length - 1).length);
    const entries = [];
    for (const [idx, migration] of migrations.entries()) {
      const tag = `${String(idx).padStart(width, '0')}_${migration.name}`;
      await writeFile(
        join(dir, `${tag}.sql`),
        `${migration.upStatements.map((statement) => `${statement};`).join('\n--> statement-breakpoint\n')}\n`,
      );
      entries.push({ idx, version: '6', when: FIRST_WHEN + idx * 1000, tag, breakpoints: true });
    }
    await writeFile(
      join(dir, 'meta', '_journal.json'),
      `${JSON.stringify({ version: '7', dialect: 'sqlite', entries }, null, 2)}\n`,
    );
  },
  invocation(action: Action, layoutDir: string, db: string): Invocation {
    if (action === 'down') throw new Error('drizzle has no rollback');
    return run(action, layoutDir, db);
  },
  versions(): Record<string, string> {
    return { 'drizzle-orm': toolVersion, 'better-sqlite3': packageVersion('better-sqlite3') };
  },
};
