import { kyselyDialect } from '@strata/driver-sqljs/kysely';
import { openSqlJsFile } from '@strata/driver-sqljs/node';
import { describeDriverContract } from '../../../test/support/driver-contract.js';

describeDriverContract('sql.js', {
  open: (path) => openSqlJsFile(path),
  kysely: kyselyDialect,
  // Each sql.js driver holds its own in-memory copy of the file.
  sharesFileBetweenConnections: false,
});
