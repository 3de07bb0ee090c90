import { checkSet, checksumOf, type Migration, parseMigrationFiles, planRollback } from '@strata/core';
import { describe, expect, it } from 'vitest';

/** What rolling back the only migration of `order`, applied, throws. */
function refusal(order: readonly Migration[]): unknown {
  try {
    planRollback(order, ['001'], '001');
  } catch (error) {
    return error;
  }
  return undefined;
}

describe('a migration without a down says how to make it reversible', () => {
  it('names the down.sql to write for a folder', () => {
    const { order } = checkSet(parseMigrationFiles({ '001_create_users/up.sql': 'CREATE TABLE users (id INTEGER);' }));
    expect(refusal(order)).toMatchObject({
      code: 'IRREVERSIBLE',
      version: '001',
      file: '001_create_users/down.sql',
      message:
        'migration 001_create_users has no down.sql, so it cannot be rolled back; write the SQL that undoes up.sql in 001_create_users/down.sql to make it reversible',
    });
  });

  it('asks for a down for a migration defined in code', () => {
    const up = 'CREATE TABLE users (id INTEGER);';
    const migration: Migration = {
      version: '001',
      name: 'create_users',
      folder: '001_create_users',
      up,
      meta: { dependencies: [], transaction: true },
      checksum: checksumOf(up),
      definedInCode: true,
    };
    expect(refusal(checkSet({ migrations: [migration], problems: [] }).order)).toMatchObject({
      code: 'IRREVERSIBLE',
      file: '001_create_users (down, defined in code)',
      message:
        'migration 001_create_users has no down.sql, so it cannot be rolled back; give it a down, the SQL that undoes its up, to make it reversible',
    });
  });
});
