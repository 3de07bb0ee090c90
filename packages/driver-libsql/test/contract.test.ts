import { createLibsqlDriver } from '@strata/driver-libsql';
import { kyselyDialect } from '@strata/driver-libsql/kysely';
import { pathToFileURL } from 'node:url';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

const open = async (path: string) => createLibsqlDriver({ url: pathToFileURL(path).href });

describeDriverContract('libsql file', { open, kysely: kyselyDialect, sharesFileBetweenConnections: false });
