import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { openSqlJsFile } from '@strata/driver-sqljs/node';
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
