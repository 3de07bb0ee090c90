import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { describe, expect, it } from 'vitest';
import { measureSize, nodeBuiltinReferences } from '../scripts/bundle.mjs';

const EXAMPLE = fileURLToPath(new URL('..', import.meta.url));

/** Bundles `source` for browsers the way the example is built, without writing anything. */
async function bundle(source: string): Promise<Rolldown.OutputChunk[]> {
  // A file that does not exist: the plugin answers for it, so imports resolve from the example's folder.
  const entry = join(EXAMPLE, 'canary-entry.js');
  const result = await build({
    configFile: false,
    root: EXAMPLE,
    logLevel: 'silent',
    plugins: [{ name: 'canary', resolveId: (id) => (id === entry ? id : null), load: (id) => (id === entry ? source : null) }],
    build: { write: false, lib: { entry, formats: ['es'], fileName: 'entry' } },
  });
  return (Array.isArray(result) ? result : [result as Rolldown.RolldownOutput])
    .flatMap((r) => r.output)
    .filter((item): item is Rolldown.OutputChunk => item.type === 'chunk');
}

describe('what Strata adds to a web page', () => {
  it('is browser-safe, and its size is measured', async () => {
    const report = await measureSize();
    expect(report.nodeBuiltins).toEqual([]);
    expect(report.warnings).toEqual([]);
    mkdirSync(join(EXAMPLE, 'test-artifacts'), { recursive: true });
    writeFileSync(join(EXAMPLE, 'test-artifacts/size.json'), `${JSON.stringify(report, null, 2)}\n`);
    // A budget, so a dependency that drags in much more shows up here; `pnpm size` prints the numbers.
    expect(report.strata.gzipBytes).toBeLessThan(60 * 1024);
    expect(report.strataWithoutYaml.gzipBytes).toBeLessThanOrEqual(report.strata.gzipBytes);
  });

  it('has a check that notices a Node built-in in a bundle', async () => {
    const direct = await bundle("import { readFileSync } from 'node:fs'; export const read = () => readFileSync('x');");
    expect(nodeBuiltinReferences(direct)).not.toEqual([]);
    const throughNodeEntry = await bundle("export { loadMigrationsFolder } from '@strata/core/node';");
    expect(nodeBuiltinReferences(throughNodeEntry)).not.toEqual([]);
    expect(nodeBuiltinReferences(await bundle("export { MigrationManager } from '@strata/core';"))).toEqual([]);
  });
});
