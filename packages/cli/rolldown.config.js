// The `strata` executable (also installed as `migrate`) is the compiled CLI with the Strata packages it uses bundled
// in: a run then loads a handful of modules instead of about seventy, and loading them is most of what a run with
// nothing to do costs. The package's own entry (`main`, `commands`, …) is a second entry of the same bundle, so the
// two share their chunks and the package carries each module once, without the compiled files they are made of.
// Other packages (better-sqlite3, sql.js, yaml, env-paths) stay imports, resolved from this package: so each must be
// one of its dependencies or peer dependencies, which the build checks. Commands load their rarer parts lazily, and
// those become chunks of their own, read only by the commands that use them. Built from dist/ after `tsc -b`: the
// root `build` script runs both.
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { isAbsolute } from 'node:path';
import { defineConfig } from 'rolldown';

const OUT = 'dist';
const PREFIX = 'migrate';
const { dependencies, peerDependencies } = JSON.parse(readFileSync('package.json', 'utf8'));
// Optional peers of the bundled packages, imported only for features the CLI never uses (core's kysely option).
const UNUSED_PEERS = ['kysely'];

// Chunks of an earlier build are removed first: their names follow what they hold, and a stale one would linger.
for (const name of readdirSync(OUT)) if (name.startsWith(PREFIX)) rmSync(`${OUT}/${name}`);

/** Whether an import stays one; throws for a package the executable could not find once installed. */
function external(id, importer) {
  if (id.startsWith('@strata/') || id.startsWith('.') || isAbsolute(id)) return false;
  if (id.startsWith('node:') || builtinModules.includes(id)) return true;
  const name = id
    .split('/')
    .slice(0, id.startsWith('@') ? 2 : 1)
    .join('/');
  if (name in dependencies || name in peerDependencies || UNUSED_PEERS.includes(name)) return true;
  throw new Error(
    `${importer} imports ${id}, which @strata/cli does not depend on: add ${name} to its dependencies or peer dependencies`,
  );
}

export default defineConfig({
  // Every file the bundle writes starts with PREFIX: the executable, the package's entry and their chunks.
  input: { [PREFIX]: `${OUT}/bin.js`, [`${PREFIX}-lib`]: `${OUT}/index.js` },
  platform: 'node',
  external,
  output: {
    dir: OUT,
    format: 'esm',
    entryFileNames: '[name].js',
    chunkFileNames: `${PREFIX}-[name].js`,
    // The sources' documentation is for readers of the packages; in the executable it is only more text to parse at
    // every start-up (a fifth of the bundle).
    comments: false,
  },
});
