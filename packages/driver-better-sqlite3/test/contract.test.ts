import { betterSqlite3, createBetterSqlite3Driver } from '@strata/driver-better-sqlite3';
import { kyselyDialect } from '@strata/driver-better-sqlite3/kysely';
import Database from 'better-sqlite3';
import { describeBundleContract } from '../../../test/support/contract-bundle.js';
import { describeCompatContract } from '../../../test/support/contract-compat.js';
import { describeDatabaseManagerContract } from '../../../test/support/contract-database-manager.js';
import { describeDriftContract } from '../../../test/support/contract-drift.js';
import { describeGenerateContract } from '../../../test/support/contract-generate.js';
import { describeGeneratePropertyContract } from '../../../test/support/contract-generate-property.js';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describeManyContract } from '../../../test/support/contract-many.js';
import { describeNonTransactionalContract } from '../../../test/support/contract-nontransactional.js';
import { describePhasesContract } from '../../../test/support/contract-phases.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeRecoveryContract } from '../../../test/support/contract-recovery.js';
import { describeReplayContract } from '../../../test/support/contract-replay.js';
import { describeSchemaContract } from '../../../test/support/contract-schema.js';
import { describeSquashContract } from '../../../test/support/contract-squash.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeStatsContract } from '../../../test/support/contract-stats.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

const open = async (filename: string) => createBetterSqlite3Driver({ filename });

describeDriverContract('better-sqlite3', { open, kysely: kyselyDialect, sharesFileBetweenConnections: true });
describeStatsContract('better-sqlite3', open, { journalMode: 'wal' });
describeDatabaseManagerContract('better-sqlite3', betterSqlite3, kyselyDialect);
describeStatementsContract('better-sqlite3', open);
describeSchemaContract('better-sqlite3', open);
describeGenerateContract('better-sqlite3', open);
describeGeneratePropertyContract('better-sqlite3', open);
describeDriftContract('better-sqlite3', open);
describeSquashContract('better-sqlite3', open);
describePlannerContract('better-sqlite3', open);
describePhasesContract('better-sqlite3', open);
describeRecoveryContract('better-sqlite3', open);
describeReplayContract('better-sqlite3', open);
describeCompatContract('better-sqlite3', open);
// On a connection the application opened and passed in, which it goes on using after a failed run.
describeNonTransactionalContract('better-sqlite3', async (filename) =>
  createBetterSqlite3Driver({ database: new Database(filename), foreignKeys: true, closeDatabase: true }),
);
describeHistoryContract('better-sqlite3', open);
describeManyContract('better-sqlite3', betterSqlite3);
describeBundleContract('better-sqlite3', open);
