import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Rolldown } from 'vite';
import { beforeAll, describe, expect, it } from 'vitest';
import { measureSize, nodeBuiltinReferences, SIZE_FIGURE_FILES, type SizeReport } from '../scripts/bundle.mjs';
import { checkFigures, writeFigures } from '../scripts/figures.mjs';

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
  let report: SizeReport;
  beforeAll(async () => {
    report = await measureSize();
  });

  it('is browser-safe, and its size is measured', () => {
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

  it('has the measured figures in both READMEs, as size --write puts them', () => {
    for (const file of SIZE_FIGURE_FILES)
      expect({ file, problems: checkFigures(readFileSync(file, 'utf8'), report) }).toEqual({ file, problems: [] });
  });

  it('fails size --check on a figure that drifted, and size --write sets it back', () => {
    const [, exampleReadme = ''] = SIZE_FIGURE_FILES;
    const right = readFileSync(exampleReadme, 'utf8');
    const drifted = writeFigures(right, { ...report, strata: { ...report.strata, bytes: report.strata.bytes + 10 * 1024 } });
    expect(drifted).not.toBe(right);
    const folder = mkdtempSync(join(tmpdir(), 'strata-size-'));
    try {
      const copy = join(folder, 'README.md');
      writeFileSync(copy, drifted);
      const { INIT_CWD: _, ...env } = process.env;
      const size = (mode: string) =>
        spawnSync(process.execPath, ['scripts/bundle.mjs', mode, copy], { cwd: EXAMPLE, env, encoding: 'utf8' });
      const checked = size('--check');
      const shown = ((report.strata.bytes + 10 * 1024) / 1024).toFixed(1);
      const measured = (report.strata.bytes / 1024).toFixed(1);
      const line = right.split('\n').findIndex((text) => text.startsWith('| Strata (core')) + 1;
      expect(checked.status).toBe(1);
      expect(checked.stderr).toBe(
        `${copy}: line ${line}: strata.bytes is ${measured} KiB, not ${shown} KiB\n` +
          'the figures differ from the measurement: `size --write` sets them to it\n',
      );
      expect(readFileSync(copy, 'utf8')).toBe(drifted);

      const written = size('--write');
      expect(written.status).toBe(0);
      expect(written.stdout).toBe(`updated: ${copy}\n`);
      expect(readFileSync(copy, 'utf8')).toBe(right);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('compares a figure as it is rounded, and refuses a text without markers or with a figure missing', () => {
    const sized = (gzipBytes: number): SizeReport => ({ ...report, strata: { ...report.strata, gzipBytes } });
    const text = 'Gzipped, <!-- size: strata.gzipBytes -->**1.0 KiB**.';
    // 1075 bytes are 1.0498 KiB, shown as 1.0; 1076 are 1.0508, shown as 1.1.
    expect(checkFigures(text, sized(1075))).toEqual([]);
    expect(checkFigures(text, sized(1076))).toEqual(['line 1: strata.gzipBytes is 1.1 KiB, not 1.0 KiB']);
    expect(writeFigures(text, sized(1076))).toBe('Gzipped, <!-- size: strata.gzipBytes -->**1.1 KiB**.');
    expect(checkFigures('It is 1.0 KiB.', report)).toEqual(['no size marker (<!-- size: strata.gzipBytes … -->) found']);
    expect(checkFigures('<!-- size: strata.bytes strata.gzipBytes -->\n1.0 KiB', report)).toEqual([
      'line 1: the size marker names strata.gzipBytes, but no figure in KiB follows for it',
      `line 2: strata.bytes is ${(report.strata.bytes / 1024).toFixed(1)} KiB, not 1.0 KiB`,
    ]);
    expect(checkFigures('<!-- size: strata.size -->1 KiB', report)).toEqual([
      'line 1: strata.size is not a measurement (strata.bytes, sqlJsWasm.gzipBytes, …)',
    ]);
  });
});
