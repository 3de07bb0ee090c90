import { createHash } from 'node:crypto';
import { checksumOf, normalizeSql } from '@strata/core';
import { describe, expect, it } from 'vitest';

describe('checksumOf', () => {
  const sql = 'CREATE TABLE t (id INTEGER PRIMARY KEY);\nINSERT INTO t VALUES (1);\n';

  it('is the MD5 hex of the UTF-8 text', () => {
    expect(checksumOf(sql)).toBe(createHash('md5').update(sql, 'utf8').digest('hex'));
    expect(checksumOf("SELECT 'é';")).toBe(createHash('md5').update("SELECT 'é';", 'utf8').digest('hex'));
  });

  it('is the same with CRLF line endings and a leading BOM', () => {
    const windows = `\ufeff${sql.replace(/\n/g, '\r\n')}`;
    expect(checksumOf(windows)).toBe(checksumOf(sql));
    expect(normalizeSql(windows)).toBe(sql);
  });

  it('changes when the SQL changes, including a lone CR or a BOM that is not leading', () => {
    expect(checksumOf(`${sql} `)).not.toBe(checksumOf(sql));
    expect(checksumOf(sql.replace('\n', '\r'))).not.toBe(checksumOf(sql));
    expect(checksumOf(`SELECT 1;\ufeff`)).not.toBe(checksumOf('SELECT 1;'));
  });
});
