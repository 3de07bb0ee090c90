import { canonicalSql } from '@strata/core';
import { describe, expect, it } from 'vitest';

describe('canonicalSql', () => {
  it('unquotes identifiers that need no quotes, once, and keeps the quotes of those that do', () => {
    expect(canonicalSql('CREATE  VIEW "v" AS\n  SELECT id FROM [users] -- all')).toBe('create view v as select id from users');
    expect(canonicalSql('CREATE VIEW v AS SELECT x FROM "b"')).toBe('create view v as select x from b');
    expect(canonicalSql('CREATE TABLE "Order Items" ("a""b" TEXT, `Id` INTEGER)')).toBe(
      'create table "Order Items"("a""b" text,id integer)',
    );
    expect(canonicalSql("SELECT 'Keep ''This''' AS \"Name\"")).toBe("select 'Keep ''This''' as name");
  });
});
