import { noColor, type Palette, paletteFor } from './color.js';
import type { Io } from './io.js';

/**
 * Where a command writes what it renders: whole lines on stdout and stderr, each with the palette its stream allows.
 * Under `--json` both palettes are off, whatever the terminal.
 */
export interface View {
  /** Writes one line (or several, joined by `\n`) to stdout. */
  out(text: string): void;
  /** Writes one line (or several) to stderr. */
  err(text: string): void;
  /** Styles for text bound for stdout. */
  readonly color: Palette;
  /** Styles for text bound for stderr. */
  readonly errColor: Palette;
}

/** The view over `io`; `json` turns colour off on both streams. */
export function createView(io: Io, json: boolean): View {
  return {
    out: (text) => void io.stdout.write(`${text}\n`),
    err: (text) => void io.stderr.write(`${text}\n`),
    color: json ? noColor : paletteFor(io.stdout, io.env),
    errColor: json ? noColor : paletteFor(io.stderr, io.env),
  };
}
