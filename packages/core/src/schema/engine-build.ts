import type { Driver } from '../driver.js';

/**
 * The SQLite build behind a connection: its release and the options it was compiled with. Two engines that run the
 * same SQL differently are explained by these: an extension compiled into one only (`ENABLE_FTS5`), a limit set
 * otherwise (`MAX_EXPR_DEPTH`), a function newer than the older release.
 *
 * @example
 * ```ts
 * const build: EngineBuild = { sqliteVersion: '3.53.2', compileOptions: ['ENABLE_FTS5', 'MAX_EXPR_DEPTH=1000'] };
 * ```
 */
export interface EngineBuild {
  /** What `sqlite_version()` returns: `3.53.2`. */
  readonly sqliteVersion: string;
  /** What `PRAGMA compile_options` lists, in its order, without the `SQLITE_` prefix: `ENABLE_FTS5`, `DQS=0`. */
  readonly compileOptions: readonly string[];
}

/**
 * Reads the build of the SQLite behind `driver`. Changes nothing.
 *
 * @example
 * ```ts
 * const { sqliteVersion, compileOptions } = await readEngineBuild(driver);
 * if (!compileOptions.includes('ENABLE_FTS5')) console.log(`SQLite ${sqliteVersion} has no FTS5`);
 * ```
 */
export async function readEngineBuild(driver: Driver): Promise<EngineBuild> {
  const [version] = await driver.query<{ version: string }>('SELECT sqlite_version() AS version');
  const options = await driver.query<{ compile_options: string }>('PRAGMA compile_options');
  return { sqliteVersion: version?.version ?? 'unknown', compileOptions: options.map((row) => row.compile_options) };
}

/** The value of compile option `name` in `build`: `''` for a flag, the text after `=` for a setting, or undefined. */
export function optionValue(build: EngineBuild, name: string): string | undefined {
  for (const option of build.compileOptions) {
    const [key, ...value] = option.split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
