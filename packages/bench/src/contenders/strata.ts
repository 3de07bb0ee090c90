import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Contender } from '../contender.js';
import { writeStrataLayout } from '../corpus.js';
import { packageVersion } from '../versions.js';

const require = createRequire(import.meta.url);
const cliPackage = require.resolve('@strata/cli/package.json');
/** The `strata` command's script, as the CLI package names it. */
export const strataBin = join(
  dirname(cliPackage),
  (JSON.parse(readFileSync(cliPackage, 'utf8')) as { bin: { migrate: string } }).bin.migrate,
);

function strata(driver: 'better-sqlite3' | 'sqljs'): Contender {
  const library = driver === 'sqljs' ? 'sql.js' : 'better-sqlite3';
  return {
    id: `strata-${driver === 'sqljs' ? 'sqljs' : 'better-sqlite3'}`,
    label: `Strata ${packageVersion('@strata/cli')} (${library})`,
    floor: driver === 'sqljs' ? 'floor-sqljs' : 'floor-better-sqlite3',
    rollsBack: true,
    writeLayout: writeStrataLayout,
    // The command a user runs: `migrate migrate`, and `migrate rollback <first> --cascade` to roll back everything
    // (every corpus migration depends on the one before it).
    invocation(action, layoutDir, db) {
      const command = action === 'up' ? ['migrate'] : ['rollback', firstVersion(layoutDir), '--cascade'];
      return { file: process.execPath, args: [strataBin, ...command, '--db', db, '--dir', layoutDir, '--driver', driver] };
    },
    versions: () => ({ [library]: packageVersion(library) }),
  };
}

function firstVersion(layoutDir: string): string {
  const first = readdirSync(layoutDir).sort()[0] ?? '';
  return first.slice(0, first.indexOf('_'));
}

export const strataBetterSqlite3 = strata('better-sqlite3');
export const strataSqlJs = strata('sqljs');
