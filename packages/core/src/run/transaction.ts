import type { Driver } from '../driver.js';

/**
 * Runs `work` in a write transaction. `BEGIN IMMEDIATE` takes SQLite's write lock at once, so what `work` reads is
 * what it writes against: another process cannot commit in between. On any error the transaction is rolled back,
 * if SQLite has not already done so itself, and the error is rethrown.
 */
export async function inWriteTransaction<T>(driver: Driver, work: () => Promise<T>): Promise<T> {
  await driver.exec('BEGIN IMMEDIATE');
  try {
    const result = await work();
    await driver.exec('COMMIT');
    return result;
  } catch (error) {
    if (driver.inTransaction()) await driver.exec('ROLLBACK');
    throw error;
  }
}
