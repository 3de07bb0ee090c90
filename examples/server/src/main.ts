#!/usr/bin/env node
// Starts the example service: `node dist/main.js`, with DB_FILE, MIGRATIONS, HOST and PORT in the environment (see
// README.md). A start-up that fails prints one line on stderr and exits with code 1.
import { optionsFromEnvironment } from './config.js';
import { describeFailure } from './failure.js';
import { startService } from './server.js';

const started = (async () => startService({ ...optionsFromEnvironment(process.env, process.cwd()), log: console.log }))().catch(
  (error: unknown) => {
    console.error(`server not started: ${describeFailure(error)}`);
    process.exit(1);
  },
);

// Listened for from the start: a signal that comes while the database is opening stops the service once it is up.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    started
      .then((service) => service.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`server did not stop cleanly: ${describeFailure(error)}`);
          process.exit(1);
        },
      );
  });
}
