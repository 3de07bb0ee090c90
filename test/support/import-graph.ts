import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { dirname, resolve } from 'node:path';

const IMPORT = /(?:^|[\s;])(?:import|export)\s*(?:[^'"]*?\sfrom\s*)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const NODE_BUILTINS = new Set(builtinModules);

/**
 * The bare specifiers (packages and built-ins) that a built ES module reaches through its relative imports, each
 * with the first file that imports it. Type-only imports are gone from built JavaScript, so this is what a bundler
 * would have to resolve.
 */
export function bareImportsOf(entry: string): Map<string, string> {
  return walk(entry, true).bare;
}

/**
 * The files of a built ES module's graph that loading it loads: the entry and what it reaches through static relative
 * imports and re-exports, not through `import()`, which loads a module only when the code that calls it runs.
 */
export function staticModulesOf(entry: string): Set<string> {
  return walk(entry, false).files;
}

function walk(entry: string, dynamic: boolean): { files: Set<string>; bare: Map<string, string> } {
  const bare = new Map<string, string>();
  const files = new Set<string>();
  const visit = (file: string): void => {
    if (files.has(file)) return;
    files.add(file);
    // Doc comments show example imports; only code counts.
    const code = readFileSync(file, 'utf8')
      .replace(/\/\*[\s\S]*?\*\//g, '')
      .replace(/^\s*\/\/.*$/gm, '');
    for (const match of code.matchAll(IMPORT)) {
      if (match[1] === undefined && !dynamic) continue;
      const specifier = match[1] ?? match[2] ?? '';
      if (specifier.startsWith('.')) visit(resolve(dirname(file), specifier));
      else if (!bare.has(specifier)) bare.set(specifier, file);
    }
  };
  visit(resolve(entry));
  return { files, bare };
}

/** Whether a specifier names a Node built-in module. */
export function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || NODE_BUILTINS.has(specifier.split('/')[0] ?? '');
}
