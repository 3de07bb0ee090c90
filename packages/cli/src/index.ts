export { DRIVER_NAMES, DRIVERS, type DriverName, type GlobalOptions } from './args.js';
export type { ArgSpec, Command, CommandInput, OpenDatabase, OpenOptions, OptionSpec, Outcome } from './commands/command.js';
export { commands } from './commands/index.js';
export { CONFIG_FILES, type Config, readConfig } from './config.js';
export type { Io, TextSink } from './io.js';
export { main } from './main.js';
export { defaultDatabaseFile, resolveSettings, type Settings } from './settings.js';
