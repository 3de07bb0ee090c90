import type { Driver, Row } from '../driver.js';

/** How many offending rows a failed foreign-key check names; the rest are counted. */
const NAMED_ROWS = 10;

/**
 * Runs `work` with foreign-key enforcement off, the way SQLite's documentation says to rebuild a table that other
 * tables reference: `PRAGMA foreign_keys` only takes effect outside a transaction, so it is switched off before
 * `work` opens one and switched back on afterwards, also when `work` fails. `work` learns whether enforcement was on,
 * since only then does it have to check the foreign keys itself before committing.
 *
 * @example
 * ```ts
 * await withForeignKeysOff(driver, (wasOn) =>
 *   inWriteTransaction(driver, async () => {
 *     await driver.exec(rebuildSql);
 *     if (wasOn) await checkForeignKeys(driver);
 *   }),
 * );
 * ```
 */
export async function withForeignKeysOff<T>(driver: Driver, work: (wasOn: boolean) => Promise<T>): Promise<T> {
  if (!(await enforced(driver))) return work(false);
  await driver.exec('PRAGMA foreign_keys = OFF');
  try {
    // Inside a transaction someone else opened on this connection the PRAGMA is silently ignored.
    if (await enforced(driver)) throw new Error('foreign keys could not be turned off: a transaction is already open');
    return await work(true);
  } finally {
    await driver.exec('PRAGMA foreign_keys = ON');
  }
}

/**
 * Throws, naming the rows, when `PRAGMA foreign_key_check` finds rows whose parent row does not exist; call it inside
 * the transaction, before committing, so a violation rolls everything back.
 */
export async function checkForeignKeys(driver: Driver): Promise<void> {
  const rows = await driver.query<Row>('PRAGMA foreign_key_check');
  if (rows.length === 0) return;
  const named = rows.slice(0, NAMED_ROWS).map((row) => {
    const which = row.rowid === null ? 'a row' : `rowid ${String(row.rowid)}`;
    return `${String(row.table)} ${which} (parent ${String(row.parent)})`;
  });
  const more = rows.length > NAMED_ROWS ? ` and ${rows.length - NAMED_ROWS} more` : '';
  const count = rows.length === 1 ? '1 row references' : `${rows.length} rows reference`;
  throw new Error(`foreign key check failed: ${count} a parent row that does not exist: ${named.join(', ')}${more}`);
}

async function enforced(driver: Driver): Promise<boolean> {
  const [row] = await driver.query<Row>('PRAGMA foreign_keys');
  return Number(row?.foreign_keys ?? 0) === 1;
}
