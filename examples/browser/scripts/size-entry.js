// What an app that migrates SQLite in a web page imports from Strata; `pnpm size` bundles exactly this.
export { MigrationManager, parseMigrationFiles } from '@strata/core';
export { createSqlJsDriver } from '@strata/driver-sqljs';
export { indexedDbStorage, openBrowserDatabase } from '@strata/driver-sqljs/browser';
