import { betterSqlite3, createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { kyselyDialect } from '@strata/driver-better-sqlite3/kysely';
import { describeDatabaseManagerContract } from '../../../test/support/contract-database-manager.js';
import { describeStatsContract } from '../../../test/support/contract-stats.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

describeDriverContract('better-sqlite3', {
  open: async (filename) => createBetterSqlite3Driver({ filename }),
  kysely: kyselyDialect,
  sharesFileBetweenConnections: true,
});

describeStatsContract('better-sqlite3', async (filename) => createBetterSqlite3Driver({ filename }), { journalMode: 'wal' });

describeDatabaseManagerContract('better-sqlite3', betterSqlite3, kyselyDialect);
