import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { staticModulesOf } from '../../../test/support/import-graph.js';

const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));
const modulesOf = (entry: string) => [...staticModulesOf(dist(entry))].map((file) => basename(file)).sort();

describe('@strata/core/node, the start-up entry', () => {
  it('loads none of the operations: restores, backup checks, bundles, scaffolding', () => {
    const startup = modulesOf('node/index.js');
    expect(startup).toContain('database-manager.js');
    expect(startup).toContain('load-folder.js');
    // The start-up backs up before a risky run, so the backup writer is its own; what only operations use is not.
    expect(startup).toContain('backup.js');
    const operationsOnly = ['operations.js', 'restore.js', 'check-backup.js', 'bundle.js', 'scaffold.js'];
    expect(startup.filter((file) => operationsOnly.includes(file))).toEqual([]);
    expect(modulesOf('node/operations.js')).toEqual(expect.arrayContaining(operationsOnly));
  });

  it('exports the start-up, and the operations only from @strata/core/node/operations', async () => {
    const startup = await import('@strata/core/node');
    const operations = await import('@strata/core/node/operations');
    expect(Object.keys(startup)).toEqual(
      expect.arrayContaining(['DatabaseManager', 'StartupError', 'loadMigrationsFolder', 'loadMigrationSource']),
    );
    expect(Object.keys(operations).sort()).toEqual([
      'appDatabaseFile',
      'assertRestorable',
      'assertSqliteFile',
      'backupAndRotate',
      'backupBaseName',
      'backupDatabase',
      'backupFileName',
      'bundleLanguageOf',
      'bundleMigrations',
      'checkBackup',
      'checkMigrationsBundle',
      'databaseFileStats',
      'listBackups',
      'prepareDatabaseFile',
      'restoreDatabase',
      'rotateBackups',
      'scaffoldMigration',
      'writeMigrationsBundle',
      'writeSquash',
    ]);
    expect(Object.keys(startup).filter((name) => name in operations)).toEqual([]);
  });
});
