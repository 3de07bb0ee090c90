import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsOf } from '../../../test/support/import-graph.js';

describe('@strata/driver-rqlite in a browser', () => {
  it('imports nothing but the root of @strata/core: it talks to rqlite with fetch alone', () => {
    const entry = fileURLToPath(new URL('../dist/index.js', import.meta.url));
    expect([...bareImportsOf(entry).keys()]).toEqual(['@strata/core']);
  });
});
