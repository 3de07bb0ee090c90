import { createRequire } from 'node:module';
import type * as Yaml from 'yaml';
import type { YamlParser } from '../parse/meta.js';

let loaded: typeof Yaml | undefined;

/**
 * The `yaml` package for `parseMigrationFiles(files, { yaml: fullYaml() })`, loaded only when a meta.yaml first needs
 * it: most are read without it, and importing it costs about 19 ms at every start-up. It is required synchronously
 * (its CommonJS entry) because parsing migration files is synchronous.
 *
 * @example
 * ```ts
 * const set = parseMigrationFiles(files, { yaml: fullYaml() });
 * ```
 */
export function fullYaml(): YamlParser {
  return {
    get parseDocument() {
      loaded ??= createRequire(import.meta.url)('yaml') as typeof Yaml;
      return loaded.parseDocument;
    },
  };
}
