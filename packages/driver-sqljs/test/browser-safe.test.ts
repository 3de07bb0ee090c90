import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsOf, isNodeBuiltin } from '../../../test/support/import-graph.js';

const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

describe('@strata/driver-sqljs in a browser', () => {
  it('loads nothing from Node through its root and browser entries', () => {
    for (const entry of ['index.js', 'browser.js']) {
      expect([...bareImportsOf(dist(entry)).keys()].filter(isNodeBuiltin)).toEqual([]);
    }
    // sql.js only when the app passes no module of its own (a dynamic import a bundler can leave out).
    expect([...bareImportsOf(dist('browser.js')).keys()].sort()).toEqual(['@strata/core', 'sql.js']);
  });
});
