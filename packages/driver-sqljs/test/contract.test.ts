import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { openSqlJsFile, sqlJsFiles } from '@strata/driver-sqljs/node';
import { describeDatabaseManagerContract } from '../../../test/support/contract-database-manager.js';
import { describeStatsContract } from '../../../test/support/contract-stats.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

describeDriverContract('sql.js', {
  open: (path) => openSqlJsFile(path),
  kysely: kyselyDialect,
  // Each sql.js driver holds its own in-memory copy of the file.
  sharesFileBetweenConnections: false,
});

// sql.js keeps the database in memory, but on SQLite's default rollback journal.
describeStatsContract('sql.js', (path) => openSqlJsFile(path), { journalMode: 'delete' });

describeDatabaseManagerContract('sql.js', sqlJsFiles, kyselyDialect);
