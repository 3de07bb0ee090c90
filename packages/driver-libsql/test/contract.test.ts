// The contract suites on libSQL files: every suite whose engine libSQL has, through the core's batch path.
import { pathToFileURL } from 'node:url';
import { createLibsqlDriver, libsql } from '@strata/driver-libsql';
import { kyselyDialect } from '@strata/driver-libsql/kysely';
import { describeCompatContract } from '../../../test/support/contract-compat.js';
import { describeDatabaseManagerContract } from '../../../test/support/contract-database-manager.js';
import { describeDriftContract } from '../../../test/support/contract-drift.js';
import { describeGenerateContract } from '../../../test/support/contract-generate.js';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describePhasesContract } from '../../../test/support/contract-phases.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeRecoveryContract } from '../../../test/support/contract-recovery.js';
import { describeReplayContract } from '../../../test/support/contract-replay.js';
import { describeSchemaContract } from '../../../test/support/contract-schema.js';
import { describeSquashContract } from '../../../test/support/contract-squash.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeStatsContract } from '../../../test/support/contract-stats.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

const open = async (path: string) => createLibsqlDriver({ url: pathToFileURL(path).href });

// libSQL's file engine is not better-sqlite3's: two clients on one file do share it, but the suite's shared-file
// cases open the file with better-sqlite3 beside the driver.
describeDriverContract('libsql file', { open, kysely: kyselyDialect, sharesFileBetweenConnections: false, atomicBatches: true });
describeStatsContract('libsql file', open, { journalMode: 'wal' });
describeDatabaseManagerContract('libsql file', libsql, kyselyDialect, { restores: false, pooledConnections: true });
describeStatementsContract('libsql file', open, { atomicBatches: true });
describeSchemaContract('libsql file', open);
describeGenerateContract('libsql file', open, { foreignKeysAlwaysOn: true });
// Not the property suite: libSQL's SQLite (3.45.1) refuses `ALTER TABLE … ADD COLUMN x REAL NOT NULL DEFAULT 9000.5` on
// a STRICT table that has rows ("NOT NULL constraint failed"), which the generator writes and SQLite 3.46 and later
// accept; random schemas hit it. The examples of the generate suite above run.
describeDriftContract('libsql file', open);
describeSquashContract('libsql file', open);
describePlannerContract('libsql file', open);
describePhasesContract('libsql file', open);
describeRecoveryContract('libsql file', open);
describeReplayContract('libsql file', open, { atomicBatches: true });
describeCompatContract('libsql file', open);
describeHistoryContract('libsql file', open);
