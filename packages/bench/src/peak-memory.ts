// Preloaded into a measured Node process (`node --import <this> …`): when the process exits, writes its peak
// resident set size, as the kernel accounts it for the whole process and all its threads (getrusage, what GNU time
// reports), to the file STRATA_BENCH_PEAK_FILE names, in KiB.
import { writeFileSync } from 'node:fs';

const file = process.env.STRATA_BENCH_PEAK_FILE;
if (file !== undefined && file !== '') {
  process.on('exit', () => {
    writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
  });
}
