// Run by the concurrency and crash tests as a separate process; see test/support/migrate-child.mjs.
import { openSqlJsFile } from '@strata/driver-sqljs/node';
import { runMigrateChild } from '../../../test/support/migrate-child.mjs';

await runMigrateChild((file, options) => openSqlJsFile(file, options));
