// The contract suites on one rqlite node (started with -fk, so foreign keys are enforced as Strata's defaults ask).
// Each new path a suite opens is a fresh database: the node is emptied first, so the paths of one test file take turns
// on it (the suites open one database at a time, or the same one twice).
//
// Not wired: the drift, squash, phases, replay and compat suites, and the stats and DatabaseManager ones. The first
// five replay migrations on `scratch()`, an empty database of the same engine, which rqlite cannot give (a node per
// replay is no scratch database, and SQLite in this process is another engine); the last two are about a database
// file (its size, pages, journal mode, backups and restores), which an rqlite client has none of.
import type { Driver } from '@strata/core';
import { createRqliteDriver } from '@strata/driver-rqlite';
import { afterAll, beforeAll } from 'vitest';
import { describeHistoryContract } from '../../../test/support/contract-history.js';
import { describePlannerContract } from '../../../test/support/contract-planner.js';
import { describeRecoveryContract } from '../../../test/support/contract-recovery.js';
import { describeSchemaContract } from '../../../test/support/contract-schema.js';
import { describeStatementsContract } from '../../../test/support/contract-statements.js';
import { describeDriverContract } from '../../../test/support/driver-contract.js';
import { type Cluster, startCluster } from './support/cluster.js';
import { emptyDatabase } from './support/empty.js';

let cluster: Cluster;
beforeAll(async () => {
  cluster = await startCluster({ flags: ['-fk'] });
}, 30_000);
afterAll(() => cluster?.stop());

let current: string | undefined;
const open = async (path: string): Promise<Driver> => {
  const driver = createRqliteDriver({ url: cluster.url });
  if (path !== current) {
    await emptyDatabase(driver);
    current = path;
  }
  return driver;
};

describeDriverContract('rqlite', { open, sharesFileBetweenConnections: true, atomicBatches: true, noScratch: true });
describeHistoryContract('rqlite', open);
describePlannerContract('rqlite', open);
describeStatementsContract('rqlite', open, { atomicBatches: true, foreignKeysFixed: true });
describeSchemaContract('rqlite', open);
describeRecoveryContract('rqlite', open);
