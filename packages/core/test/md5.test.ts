import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { md5Hex } from '../src/md5.js';

const nodeMd5 = (text: string) => createHash('md5').update(text, 'utf8').digest('hex');

describe('md5Hex', () => {
  it('gives the digests of RFC 1321', () => {
    expect(md5Hex('')).toBe('d41d8cd98f00b204e9800998ecf8427e');
    expect(md5Hex('abc')).toBe('900150983cd24fb0d6963f7d28e17f72');
    expect(md5Hex('message digest')).toBe('f96b697d7cb7938d525a2f31aaf161d0');
    expect(md5Hex('1234567890'.repeat(8))).toBe('57edf4a22be3c955ac49da2e2107b67a');
  });

  it('pads correctly at every length around a block boundary', () => {
    // 55 bytes is the longest message whose padding fits its last block; 56 needs another.
    for (let length = 0; length <= 130; length++) expect(md5Hex('x'.repeat(length))).toBe(nodeMd5('x'.repeat(length)));
  });

  it('hashes UTF-8, lone surrogates as U+FFFD, texts too large for the shared buffer, and the text after one', () => {
    for (const text of ['é', '✓', '𝄞', '\ud800', 'a\udc00b', `${'é'.repeat(400_000)}!`, 'short again']) {
      expect(md5Hex(text)).toBe(nodeMd5(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => md5Hex(text) === nodeMd5(text)),
      { numRuns: 1000 },
    );
  });
});
