import type { SqlJsDriver } from '@strata/driver-sqljs';

/** Counts the statements prepared on the driver's database and those not freed yet. */
export function trackStatements(driver: SqlJsDriver): { prepared: number; open: number } {
  const db = driver.database;
  const prepare = db.prepare.bind(db);
  const counts = { prepared: 0, open: 0 };
  db.prepare = (sql) => {
    const statement = prepare(sql);
    const free = statement.free.bind(statement);
    counts.prepared++;
    counts.open++;
    statement.free = () => {
      counts.open--;
      return free();
    };
    return statement;
  };
  return counts;
}
