import { compareVersions } from '@strata/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { versionKey } from '../src/migration.js';

// Versions are compared as text for speed; numbers are the meaning. Leading zeros are where the two could part.
const version = fc
  .tuple(fc.integer({ min: 0, max: 4 }), fc.bigInt({ min: 0n, max: 10n ** 25n }))
  .map(([zeros, n]) => `${'0'.repeat(zeros)}${n}`);

function byNumber(a: string, b: string): number {
  const [na, nb] = [BigInt(a), BigInt(b)];
  if (na !== nb) return na < nb ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

describe('versions', () => {
  it('orders by number, then by spelling', () => {
    expect(['010', '9', '0010', '1', '001', '0'].sort(compareVersions)).toEqual(['0', '001', '1', '9', '0010', '010']);
    fc.assert(
      fc.property(version, version, (a, b) => Math.sign(compareVersions(a, b)) === byNumber(a, b)),
      { numRuns: 2000 },
    );
  });

  it('keys versions of the same number alike, and only those', () => {
    expect([versionKey('0'), versionKey('000'), versionKey('007'), versionKey('70')]).toEqual(['0', '0', '7', '70']);
    fc.assert(
      fc.property(version, version, (a, b) => (versionKey(a) === versionKey(b)) === (BigInt(a) === BigInt(b))),
      {
        numRuns: 2000,
      },
    );
  });

  it('still refuses what is not a version', () => {
    expect(() => compareVersions('1a', '2')).toThrow(SyntaxError);
  });
});
