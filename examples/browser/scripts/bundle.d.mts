import type { OutputAsset, OutputChunk } from 'vite';

/** A size, before and after gzip (level 9). */
export interface Size {
  readonly bytes: number;
  readonly gzipBytes: number;
}

/** What `measureSize` reports. */
export interface SizeReport {
  /** Core, the sql.js driver and its browser API, as an app imports them; sql.js itself left out. */
  readonly strata: Size;
  /** The same without the `yaml` package, which core uses to read meta.yaml. */
  readonly strataWithoutYaml: Size;
  readonly sqlJsGlue: Size;
  readonly sqlJsWasm: Size;
  /** Node built-ins the bundle would load; empty for a browser-safe bundle. */
  readonly nodeBuiltins: readonly string[];
  readonly warnings: readonly string[];
}

/** Every Node built-in that the chunks of a Vite build would load, as `<file>: <how> <specifier>`. */
export function nodeBuiltinReferences(output: readonly (OutputChunk | OutputAsset)[]): string[];

/** Bundles scripts/size-entry.js for browsers and measures it, and sql.js. */
export function measureSize(): Promise<SizeReport>;

/** The files that quote the sizes under size markers: the repository's README and the browser example's. */
export const SIZE_FIGURE_FILES: readonly string[];
