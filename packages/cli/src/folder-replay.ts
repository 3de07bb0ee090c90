import { type Driver, MigrationManager } from '@strata/core';
import { loadMigrationsFolder } from '@strata/core/node/folder';
import { openDriver } from './drivers.js';
import type { Settings } from './settings.js';

/**
 * An empty database in memory, on the driver `settings` names, with every migration of the folder applied: the
 * schema the folder builds, which `schema` prints and `diff` starts from. The caller closes it.
 */
export async function replayFolder(settings: Settings): Promise<Driver> {
  const migrations = await loadMigrationsFolder(settings.dir);
  const driver = await openDriver(settings.driver, { file: undefined, readonly: false });
  try {
    await new MigrationManager({ driver, migrations, table: settings.table }).migrate();
    return driver;
  } catch (error) {
    await driver.close();
    throw error;
  }
}
