export { DRIVERS, type DriverName, type GlobalOptions } from './args.js';
export type { ArgSpec, Command, CommandInput, OpenOptions, OptionSpec, Outcome } from './commands/command.js';
export { commands } from './commands/index.js';
export { defaultDatabaseFile } from './context.js';
export type { Io, TextSink } from './io.js';
export { main } from './main.js';
