#!/usr/bin/env node
// Starts the example service: `node dist/main.js`, with DB_FILE, MIGRATIONS, HOST and PORT in the environment.
import { fileURLToPath } from 'node:url';
import { startService } from './server.js';

const service = await startService({
  ...(process.env.DB_FILE === undefined ? {} : { file: process.env.DB_FILE }),
  migrations: process.env.MIGRATIONS ?? fileURLToPath(new URL('../../../migrations', import.meta.url)),
  host: process.env.HOST ?? '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  log: (line) => console.log(line),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    service.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  });
}
