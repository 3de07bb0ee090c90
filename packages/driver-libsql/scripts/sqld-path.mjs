// The path of the libSQL server binary `sqld` that the `sqld` dev dependency ships for this platform; printed when
// run as a script, so a shell can start it: `"$(node packages/driver-libsql/scripts/sqld-path.mjs)" --no-welcome …`.
// The `sqld` package's own install step, which would link the binary, is not run (it fails), hence this.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The `sqld` binary of the `sqld` package's platform package. */
export function sqldBinary() {
  const wrapper = createRequire(createRequire(import.meta.url).resolve('sqld/package.json'));
  return join(dirname(wrapper.resolve(`@sqld/${process.platform}-${process.arch}/package.json`)), 'sqld');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${sqldBinary()}\n`);
