// A process that takes Strata's lock of a file, run by the lock tests: argv[2] is a JSON object
// { file, log, start, holdMs }. It waits until the time `start`, takes the lock, appends "enter <pid> <time>" to
// `log`, holds the lock for `holdMs`, checks it is still its own, appends "leave <pid> <time>" (or "lost <pid>"),
// and lets go.
import { appendFileSync } from 'node:fs';
import { acquireFileLock } from '@strata/core/node';

const { file, log, start, holdMs } = JSON.parse(process.argv[2] ?? '{}');
while (Date.now() < start) {
  // Spinning, so that every process reaches the lock in the same millisecond.
}
const lock = await acquireFileLock(file, { timeoutMs: 30_000, staleMs: 10_000 });
appendFileSync(log, `enter ${process.pid} ${performance.timeOrigin + performance.now()}\n`);
await new Promise((resolve) => setTimeout(resolve, holdMs));
try {
  await lock.verify();
  appendFileSync(log, `leave ${process.pid} ${performance.timeOrigin + performance.now()}\n`);
} catch {
  appendFileSync(log, `lost ${process.pid}\n`);
}
await lock.release();
