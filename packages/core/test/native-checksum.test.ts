import { checksumOf } from '@strata/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nativeChecksum } from '../src/node/parse-options.js';

describe('nativeChecksum', () => {
  it('gives what the portable checksum gives, BOM and CRLF folding included', () => {
    for (const text of ['', 'CREATE TABLE t (id INTEGER);\r\n', '\ufeffSELECT 1;\n', "INSERT INTO t VALUES ('é ✓ 𝄞');"]) {
      expect(nativeChecksum(text)).toBe(checksumOf(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (text) => nativeChecksum(text) === checksumOf(text)),
      { numRuns: 500 },
    );
  });
});
