import { readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { resolveBinary } from 'dbmate';
import type { Action, Contender, Invocation } from '../contender.js';
import type { CorpusMigration } from '../corpus.js';
import { packageVersion } from '../versions.js';

const toolVersion = packageVersion('dbmate');

/** The go-sqlite3 version compiled into the binary (from its embedded module path), or `unknown`. */
function goSqliteVersion(binary: string): string {
  const bytes = readFileSync(binary);
  const marker = 'mattn/go-sqlite3@v';
  const at = bytes.indexOf(marker);
  if (at < 0) return 'unknown';
  const match = /^[0-9][0-9A-Za-z.+-]*/.exec(bytes.subarray(at + marker.length, at + marker.length + 40).toString('latin1'));
  return match === null ? 'unknown' : match[0];
}

/**
 * mattn/go-sqlite3 DSN parameters: it runs these pragmas on every connection it opens (dbmate passes the URL's query
 * through to the driver).
 */
const CONNECTION_PARAMS = '_journal_mode=WAL&_synchronous=NORMAL&_foreign_keys=1';

/**
 * dbmate's Go binary (the `@dbmate/<platform>` package, found by the `dbmate` package's own `resolveBinary()`), started
 * directly. One `NNN_name.sql` per migration with `-- migrate:up` / `-- migrate:down` sections; each migration runs in
 * its own transaction (dbmate's default). dbmate's `rollback` undoes only the latest migration, so there is no
 * rollback-all in one process.
 */
export const contender: Contender = {
  id: 'dbmate',
  label: `dbmate ${toolVersion} (go-sqlite3)`,
  floor: 'floor-better-sqlite3',
  rollsBack: false,
  async writeLayout(migrations: readonly CorpusMigration[], dir: string): Promise<void> {
    await mkdir(dir, { recursive: true });
    for (const migration of migrations) {
      await writeFile(
        join(dir, `${migration.version}_${migration.name}.sql`),
        `-- migrate:up\n${migration.up}\n-- migrate:down\n${migration.down}`,
      );
    }
  },
  invocation(action: Action, layoutDir: string, db: string): Invocation {
    if (action === 'down') throw new Error('dbmate cannot roll back every migration in one process');
    // An absolute path: dbmate un-escapes the path of `sqlite:/abs/path` (a relative one would be taken verbatim).
    const path = resolve(db).split('/').map(encodeURIComponent).join('/');
    return {
      file: resolveBinary(),
      args: ['--url', `sqlite:${path}?${CONNECTION_PARAMS}`, '--migrations-dir', layoutDir, '--no-dump-schema', 'up'],
    };
  },
  versions(): Record<string, string> {
    return { dbmate: toolVersion, 'mattn/go-sqlite3': goSqliteVersion(resolveBinary()) };
  },
};
