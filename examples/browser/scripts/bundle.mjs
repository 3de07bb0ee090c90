#!/usr/bin/env node
// Measures what Strata adds to a web page, and checks built bundles for Node built-ins.
// `pnpm --filter @strata/example-browser size` prints the sizes; `--json` prints them as JSON; `--check [FILE…]`
// fails when a figure the READMEs quote differs from the measurement, and `--write [FILE…]` sets them to it.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { checkFigures, writeFigures } from './figures.mjs';

const exampleDir = dirname(dirname(fileURLToPath(import.meta.url)));
const BUILTINS = new Set(builtinModules.filter((name) => !name.startsWith('_')));
const isBuiltin = (specifier) => specifier.startsWith('node:') || BUILTINS.has(specifier.split('/')[0]);
// A module specifier in built code: import … from "x", import "x", import("x"), require("x").
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)(["'`])([^"'`\s]+)\1/g;

/**
 * Every Node built-in a bundle would load: imports and dynamic imports of its chunks, module specifiers in their code,
 * and the stub Vite puts where browser code imported one ("__vite-browser-external").
 */
export function nodeBuiltinReferences(output) {
  const found = new Set();
  for (const chunk of output.filter((item) => item.type === 'chunk')) {
    for (const specifier of [...chunk.imports, ...chunk.dynamicImports])
      if (isBuiltin(specifier)) found.add(`${chunk.fileName}: imports ${specifier}`);
    for (const [, , specifier] of chunk.code.matchAll(SPECIFIER))
      if (isBuiltin(specifier)) found.add(`${chunk.fileName}: loads ${specifier}`);
    for (const id of chunk.moduleIds) if (id.includes('__vite-browser-external')) found.add(`${chunk.fileName}: contains ${id}`);
  }
  return [...found].sort();
}

function sizes(bytes) {
  return { bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}

/** Bundles scripts/size-entry.js for browsers, minified, leaving out the packages in `external`. */
async function bundleEntry(external, warnings) {
  const result = await build({
    configFile: false,
    root: exampleDir,
    logLevel: 'silent',
    build: {
      write: false,
      minify: true,
      target: 'es2022',
      lib: { entry: join(exampleDir, 'scripts/size-entry.js'), formats: ['es'], fileName: 'strata' },
      // cwd: the bundle names each module by its path from it, in comments the minifier keeps, so the size would
      // depend on the folder the command runs in.
      rolldownOptions: { cwd: exampleDir, external, onwarn: (warning) => warnings.push(warning.message) },
    },
  });
  const output = (Array.isArray(result) ? result : [result]).flatMap((r) => r.output);
  const chunks = output.filter((item) => item.type === 'chunk');
  return { output, code: Buffer.concat(chunks.map((chunk) => Buffer.from(chunk.code))) };
}

/**
 * What Strata adds to a page: scripts/size-entry.js bundled for browsers and minified, without sql.js (measured on
 * its own, with its wasm), and the part of it that is the `yaml` package (core's meta.yaml parser).
 */
export async function measureSize() {
  const warnings = [];
  const { output, code } = await bundleEntry(['sql.js'], warnings);
  const withoutYaml = await bundleEntry(['sql.js', 'yaml'], warnings);
  const resolve = createRequire(join(exampleDir, 'package.json')).resolve;
  return {
    strata: sizes(code),
    strataWithoutYaml: sizes(withoutYaml.code),
    sqlJsGlue: sizes(readFileSync(resolve('sql.js/dist/sql-wasm-browser.js'))),
    sqlJsWasm: sizes(readFileSync(resolve('sql.js/dist/sql-wasm-browser.wasm'))),
    nodeBuiltins: nodeBuiltinReferences(output),
    warnings,
  };
}

/** The files that quote the sizes: the repository's README and this example's. */
export const SIZE_FIGURE_FILES = [join(exampleDir, '../../README.md'), join(exampleDir, 'README.md')];

function printSizes(report) {
  const kib = (n) => `${(n / 1024).toFixed(1)} KiB`;
  const line = (label, s) =>
    console.log(`${label.padEnd(46)} ${kib(s.bytes).padStart(10)}  ${kib(s.gzipBytes).padStart(10)} gzipped`);
  console.log(`${''.padEnd(46)} ${'minified'.padStart(10)}`);
  line('Strata (core + sql.js driver + browser API)', report.strata);
  line('  the same without the yaml package', report.strataWithoutYaml);
  line('sql.js JavaScript (sql-wasm-browser.js)', report.sqlJsGlue);
  line('sql.js WebAssembly (sql-wasm-browser.wasm)', report.sqlJsWasm);
}

/** `--check` or `--write` on the files named after it, taken from where the command was typed (pnpm's INIT_CWD). */
function figures(report, mode, named) {
  const base = process.env.INIT_CWD ?? process.cwd();
  const files = named.length === 0 ? SIZE_FIGURE_FILES : named.map((file) => resolve(base, file));
  let missing = false;
  let drifted = false;
  for (const file of files) {
    if (!existsSync(file)) {
      console.error(`${file}: no such file`);
      missing = true;
      continue;
    }
    const text = readFileSync(file, 'utf8');
    const result = mode === '--write' ? writeFigures(text, report) : text;
    if (result !== text) writeFileSync(file, result);
    if (mode === '--write') console.log(`${result === text ? 'already right' : 'updated'}: ${file}`);
    const problems = checkFigures(result, report);
    for (const problem of problems) console.error(`${file}: ${problem}`);
    if (mode === '--check' && problems.length === 0) console.log(`the figures match the measurement: ${file}`);
    drifted ||= problems.length > 0;
  }
  if (drifted && mode === '--check') console.error('the figures differ from the measurement: `size --write` sets them to it');
  return missing || drifted;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const mode = args.find((arg) => arg === '--check' || arg === '--write');
  const report = await measureSize();
  if (args.includes('--json')) console.log(JSON.stringify(report, null, 2));
  else if (mode === undefined) printSizes(report);
  for (const problem of [...report.nodeBuiltins, ...report.warnings]) console.error(`problem: ${problem}`);
  const named = args.filter((arg) => !arg.startsWith('--'));
  const wrongFigures = mode !== undefined && figures(report, mode, named);
  if (report.nodeBuiltins.length > 0 || wrongFigures) process.exitCode = 1;
}
