import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { bareImportsOf, isNodeBuiltin } from '../../../test/support/import-graph.js';

const dist = (path: string) => fileURLToPath(new URL(`../dist/${path}`, import.meta.url));

describe('@strata/core root entry', () => {
  it('imports nothing from Node and only browser-safe packages', () => {
    const imports = bareImportsOf(dist('index.js'));
    expect([...imports.keys()].filter(isNodeBuiltin)).toEqual([]);
    // Not `yaml`: meta.yaml is read without it unless the caller passes the package for YAML beyond the simple form.
    // Nor any other package: MD5 is core's own.
    expect([...imports.keys()]).toEqual([]);
  });

  it('offers the folder loader alone as @strata/core/node/folder, reaching no other package', async () => {
    const folder = await import('@strata/core/node/folder');
    expect(Object.keys(folder).sort()).toEqual(['loadMigrationsFolder', 'readMigrationsFolder']);
    expect([...bareImportsOf(dist('node/load-folder.js')).keys()].filter((s) => !isNodeBuiltin(s))).toEqual([]);
  });

  it('keeps Node-only code behind @strata/core/node', () => {
    const imports = [...bareImportsOf(dist('node/index.js')).keys()];
    expect(imports).toContain('node:fs/promises');
    expect(imports.some(isNodeBuiltin)).toBe(true);
  });
});
