// The contract suites on one rqlite node. Each new path a suite opens is a fresh database: the node is emptied first,
// so the paths of one test file take turns on it (the suites open one database at a time, or the same one twice).
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
